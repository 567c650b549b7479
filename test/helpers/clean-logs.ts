/**
 * Clean real logs and edits that add failure evidence to them (test/verdict-property.test.ts).
 *
 * A clean log is a fixture with its environment file: the real program output, bare or as its
 * runner wrapped it, plus the same output wrapped by the modelled runners of other eras (the
 * pre-TAP 6.x text runner, the TAP run_vmtests.sh, the 6.x and 7.x kselftest runners, 7.x's
 * ksft_gup_test.sh container). Each edit adds one piece of failure evidence where the run
 * shows it — a result repeated as `not ok`, a flipped runner verdict or status, a `Bail out!`,
 * a `# Totals:` with failures, another exit code, a plan of more results — with a random transport prefix, extra `# `
 * nesting or a CR overwrite where the edit is a line of its own.
 */
import type { Environment } from '../../cases/env.js';
import { predict } from '../../cases/predict.js';
import { kselftestRunnerEra, runVmtestsEra } from '../../cases/runners/eras.js';
import { kselftestRunner } from '../../cases/runners/kselftest-runner.js';
import { runVmtests } from '../../cases/runners/run-vmtests.js';
import type { SelftestBuild } from '../../cases/versions.js';
import { isRelease, parseRelease } from '../../kernel-model/release.js';
import { parseLog } from '../../reports/parse/index.js';
import type { ParsedRun } from '../../reports/parse/types.js';
import { goldenLogs, programOutputOfMailLog } from '../helpers.js';

export interface CleanLog {
  name: string;
  text: string;
  env: Environment;
}

/** The build with the runners of another tree's era (the program output stays the fixture's). */
function withRunners(build: SelftestBuild, tree: string): SelftestBuild {
  const r = parseRelease(tree);
  if (!isRelease(r)) throw new Error(r.error);
  return { ...build, runners: { runVmtests: runVmtestsEra(r), kselftest: kselftestRunnerEra(r) } };
}

/**
 * Every fixture with an environment, as it is and wrapped by the modelled runners (a wrapping
 * that leaves no gup_longterm run — run_vmtests.sh before 7.2 refuses a non-root user — is left
 * out).
 */
export function cleanLogs(): CleanLog[] {
  return allLogs().filter((c) => parseLog(c.text).runs.length === 1);
}

function allLogs(): CleanLog[] {
  const out: CleanLog[] = [];
  for (const g of goldenLogs()) {
    out.push({ name: g.name, text: g.log, env: g.env });
    if (g.env.runner !== 'direct') continue;
    const p = predict(g.env, { trace: false });
    if ('error' in p) throw new Error(`${g.name}: ${p.error}`);
    const program = { stdout: programOutputOfMailLog(g.log), exitCode: p.run.exitCode };
    const build = p.run.build;
    const name = build.version.id === 'P' ? 'pin_longterm' : 'gup_longterm';
    out.push({
      name: `${g.name} under the 6.x kselftest runner`,
      text: kselftestRunner(withRunners(build, '6.12'), name, program).stdout,
      env: g.env,
    });
    out.push({
      name: `${g.name} under the 7.x kselftest runner`,
      text: kselftestRunner(withRunners(build, '7.2'), name, program).stdout,
      env: g.env,
    });
    if (name !== 'gup_longterm') continue;
    out.push({
      name: `${g.name} under the pre-TAP run_vmtests.sh`,
      text: runVmtests(g.env, withRunners(build, '6.5'), program).stdout,
      env: g.env,
    });
    out.push({
      name: `${g.name} under run_vmtests.sh (TAP)`,
      text: runVmtests(g.env, withRunners(build, '6.12'), program).stdout,
      env: g.env,
    });
    const b72 = withRunners(build, '7.2');
    out.push({
      name: `${g.name} under ksft_gup_test.sh`,
      text: kselftestRunner(b72, 'ksft_gup_test.sh', runVmtests(g.env, b72, program)).stdout,
      env: g.env,
    });
  }
  return out;
}

/** What an edit needs to know of the clean log: its lines and where its run prints what. */
export interface Shape {
  lines: string[];
  run: ParsedRun;
  /** 0-based indices of the run's `ok N …` result lines. */
  okResults: number[];
  /** 0-based index of the run's last program line (its last result or trailer). */
  lastProgramLine: number;
  /** The `# ` prefix of the run's own TAP lines. */
  prefix: string;
}

export function shapeOf(text: string): Shape {
  const lines = text.split('\n');
  const run = parseLog(text).runs[0];
  if (!run) throw new Error('no run in a clean log');
  const okResults = run.subtests
    .filter((s) => s.resultText?.startsWith('ok '))
    .map((s) => s.line - 1);
  const trailer = [...run.totalsLines.map((t) => t.line), ...run.bailouts.map((b) => b.line)];
  const lastProgramLine = Math.max(...run.subtests.map((s) => s.line), ...trailer) - 1;
  return { lines, run, okResults, lastProgramLine, prefix: '# '.repeat(run.depth) };
}

/** Transport decoration a console or CI collector adds before a line. */
export const TRANSPORT_PREFIXES = [
  '',
  '[  123.456789] ',
  '07:05:40.369554  ',
  '2025-06-16T07:05:40.369Z ',
];

export interface LineStyle {
  transport: string;
  /** `# ` levels added on top of the line's own (a result line only: a nested `Bail out!` is no bail-out). */
  extraNesting: number;
  /** Glue the line to the end of the one before with a bare CR (an overwrite), not a line of its own. */
  cr: boolean;
}

export type EditKind =
  'dup-not-ok' | 'flip-runner' | 'bail-out' | 'totals-fail' | 'exit-code' | 'plan';
export const EDIT_KINDS: readonly EditKind[] = [
  'dup-not-ok',
  'flip-runner',
  'bail-out',
  'totals-fail',
  'exit-code',
  'plan',
];

/** One edit: which kind, and the random choices it makes (indices are taken modulo what fits). */
export interface Edit {
  kind: EditKind;
  pick: number;
  at: number;
  style: LineStyle;
  /** A bail-out's text, a number for counters and exit codes. */
  word: string;
  n: number;
}

/** Put `core` at index `at` (before the line there), after the leading whitespace `ws` a mail kept. */
function insert(
  lines: readonly string[],
  at: number,
  ws: string,
  core: string,
  style: LineStyle,
  nest: boolean,
): string {
  const styled = `${ws}${style.transport}${nest ? '# '.repeat(style.extraNesting) : ''}${core}`;
  const out = [...lines];
  if (style.cr && at > 0) out[at - 1] = `${out[at - 1]}\r${styled}`;
  else out.splice(at, 0, styled);
  return out.join('\n');
}

const WRAPPER_OK =
  /^((?:# )*)ok (\d+) (gup_longterm|pin_longterm|gup_test .*|selftests: \S+: \S+)( # SKIP)?$/;
const EXIT_CODES = [1, 2, 3, 124, 127, 134, 139];

/** Lines a runner printed that can be flipped to a failure, and how. */
function runnerFlips(lines: readonly string[], n: number): { at: number; line: string }[] {
  const out: { at: number; line: string }[] = [];
  lines.forEach((l, i) => {
    const v = WRAPPER_OK.exec(l);
    if (v)
      out.push({
        at: i,
        line: `${v[1]}not ok ${v[2]} ${v[3]} # exit=${EXIT_CODES[n % EXIT_CODES.length]}`,
      });
    else if (/^(?:# )*\[PASS\]$/.test(l)) out.push({ at: i, line: l.replace('[PASS]', '[FAIL]') });
    else if (/^(?:# )*SUMMARY: PASS=[1-9]\d* SKIP=\d+ FAIL=0$/.test(l)) {
      out.push({
        at: i,
        line: l
          .replace(/PASS=(\d+)/, (_m, p: string) => `PASS=${Number(p) - 1}`)
          .replace('FAIL=0', 'FAIL=1'),
      });
    } else if (
      l === '# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0' &&
      /^ok 1 selftests: /.test(lines[i - 1] ?? '')
    ) {
      // The 7.x kselftest runner's own counters, right after its verdict.
      out.push({ at: i, line: '# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0' });
    }
  });
  return out;
}

/** The edited log, or null when the edit does not apply to this log (a bare log has no runner). */
export function applyEdit(sh: Shape, e: Edit): string | null {
  const { lines, run } = sh;
  const endIdx = run.endLine - 1;
  const after = (from: number, to: number): number => from + (e.at % Math.max(1, to - from + 1));
  switch (e.kind) {
    case 'dup-not-ok': {
      if (sh.okResults.length === 0) return null;
      const k = sh.okResults[e.pick % sh.okResults.length]!;
      const m = /^(\s*)(.*)$/.exec(lines[k]!)!;
      const core = m[2]!.replace(/\bok (\d+)/, 'not ok $1');
      return insert(lines, after(k + 1, lines.length), m[1]!, core, e.style, true);
    }
    case 'bail-out':
    case 'totals-fail': {
      const ws = /^\s*/.exec(lines[sh.lastProgramLine]!)![0];
      const core =
        e.kind === 'bail-out'
          ? `${sh.prefix}Bail out! ${e.word}`
          : `${sh.prefix}# Totals: pass:${run.counts.pass} fail:${run.counts.fail + 1 + (e.n % 3)} xfail:0 xpass:0 skip:${run.counts.skip} error:0`;
      return insert(
        lines,
        after(sh.lastProgramLine + 1, Math.max(sh.lastProgramLine + 1, endIdx)),
        ws,
        core,
        e.style,
        false,
      );
    }
    case 'plan': {
      // More results planned than the program prints (and no line saying so).
      if (run.plan === null) return null;
      const out = [...lines];
      const k = run.plan.line - 1;
      out[k] =
        `${e.style.transport}${out[k]!.replace(/\b1\.\.(\d+)/, (_m, n: string) => `1..${Number(n) + 1 + (e.n % 10)}`)}`;
      return out.join('\n');
    }
    case 'flip-runner':
    case 'exit-code': {
      const flips =
        e.kind === 'flip-runner'
          ? runnerFlips(lines, e.n)
          : lines.flatMap((l, i) => {
              const x = /# exit=(\d+)$/.exec(l);
              if (x)
                return [
                  { at: i, line: l.replace(/exit=\d+$/, `exit=${Number(x[1]) === 139 ? 1 : 139}`) },
                ];
              const v = WRAPPER_OK.exec(l);
              return v && /gup_longterm|pin_longterm/.test(v[3]!)
                ? [
                    {
                      at: i,
                      line: `${v[1]}not ok ${v[2]} ${v[3]} # exit=${EXIT_CODES[e.n % EXIT_CODES.length]}`,
                    },
                  ]
                : [];
            });
      if (flips.length === 0) return null;
      const f = flips[e.pick % flips.length]!;
      const out = [...lines];
      out[f.at] = `${e.style.transport}${f.line}`;
      return out.join('\n');
    }
  }
}
