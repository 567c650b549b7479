/**
 * What a line body *says*, independent of whose it is. Whose it is (which run, program line
 * or wrapper line, diagnostic or TAP) depends on its level relative to the current run and is
 * decided by the LogParser.
 *
 * TAP structure uses tap-parser's own `lineTypes` regexes where they fit (version, plan,
 * bail out). Its testPoint regex is not used: it accepts `ok` without a number and folds
 * directives it does not know into the name (see result-line.ts).
 */
import { lineTypes } from 'tap-parser';
import type { SelftestName } from '../../cases/selftests/names.js';
import {
  PLANNED_MISMATCH,
  RUNNER_HEADER,
  RUNNER_TIMEOUT,
  RUN_PREFIX,
  SKIPPED_NOTICE,
  TAP_BAILOUT,
  TAP_PLAN,
  TAP_VERSION,
  TOTALS,
  VMTESTS_BANNER,
  VMTESTS_SKIP_LINE,
  VMTESTS_STATUS,
  VMTESTS_SUMMARY,
} from './patterns.js';
import { parseResultLineShared, type ResultLine } from './result-line.js';
import { infoFact, programLineOwner, promptProgram, selftestOfProgram } from './selftests.js';
import type { InfoFact } from './types.js';

export type Token =
  | { kind: 'empty' }
  | { kind: 'version'; version: number }
  | { kind: 'plan'; count: number }
  | { kind: 'result'; result: Readonly<ResultLine> }
  | { kind: 'bailout'; text: string }
  /** `selftest`: the selftest whose program the banner or header runs (null: another program). */
  | { kind: 'banner'; program: string; selftest: SelftestName | null }
  | { kind: 'runner-header'; suite: string; program: string; selftest: SelftestName | null }
  | { kind: 'runner-timeout'; seconds: number }
  | { kind: 'vm-status'; status: 'PASS' | 'FAIL' | 'SKIP' }
  | { kind: 'wrapper-noise' } // run_vmtests dash rules, `SKIP ./x`
  | { kind: 'vm-summary'; pass: number; skip: number; fail: number }
  | { kind: 'prompt'; program: string }
  /** A selftest's `[INFO]` line and the machine fact it carries (./selftests.ts). */
  | { kind: 'info'; fact: InfoFact }
  /** A line at a program's own level that a selftest's plug-in names (cow's `open(<path>)`): `owner` indexes PLUGINS. */
  | { kind: 'program-line'; owner: number }
  | { kind: 'run'; name: string }
  | { kind: 'totals'; counts: [number, number, number, number, number, number] }
  | { kind: 'planned-mismatch'; planned: number; run: number }
  | { kind: 'skipped-notice'; count: number }
  | { kind: 'text' };

const DASH_RULE = /^-{3,}$/;

// Tokens without data are shared: most lines are text, and a token per line is garbage.
const EMPTY: Token = { kind: 'empty' };
const TEXT: Token = { kind: 'text' };
const WRAPPER_NOISE: Token = { kind: 'wrapper-noise' };
// The two tokens of most lines ([RUN] and result lines) are reused, refilled per line: the
// router acts on a token before the next line is classified and never keeps it.
const RESULT_TOKEN: { kind: 'result'; result: Readonly<ResultLine> } = {
  kind: 'result',
  result: { text: '', ok: true, number: 0, description: '', directive: null, verdict: 'pass' },
};
const RUN_TOKEN: { kind: 'run'; name: string } = { kind: 'run', name: '' };

/** Program name without directory: `./gup_longterm` → `gup_longterm`. */
export function programName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

/** What the line says. The token is valid until the next call (result and [RUN] tokens are reused). */
export function classify(body: string): Token {
  if (body === '') return EMPTY;
  const c0 = body.charCodeAt(0);
  // Cheap first-character dispatch keeps the common case (one regex per line) fast.
  if (c0 === 111 /* o */ || c0 === 110 /* n */) {
    const r = parseResultLineShared(body);
    if (r) {
      RESULT_TOKEN.result = r;
      return RESULT_TOKEN;
    }
  } else if (c0 >= 48 && c0 <= 57 /* digit */) {
    const p = TAP_PLAN.exec(body);
    if (p && lineTypes.plan.test(body + '\n')) return { kind: 'plan', count: Number(p[2]) };
    const sk = SKIPPED_NOTICE.exec(body);
    if (sk) return { kind: 'skipped-notice', count: Number(sk[1]) };
  } else if (c0 === 84 /* T */ || c0 === 75 /* K */) {
    const v = TAP_VERSION.exec(body);
    if (v && (c0 === 75 || lineTypes.version.test(body + '\n'))) {
      return { kind: 'version', version: Number(v[1]) };
    }
    const t = TOTALS.exec(body);
    if (t) {
      const n = (i: number): number => Number(t[i] ?? '0');
      return { kind: 'totals', counts: [n(1), n(2), n(3), n(4), n(5), n(6)] };
    }
  } else if (c0 === 66 /* B */ || c0 === 98 /* b */) {
    const b = TAP_BAILOUT.exec(body);
    if (b && lineTypes.bailout.test(body + '\n')) return { kind: 'bailout', text: b[1] ?? '' };
  } else if (c0 === 91 /* [ */) {
    // No regex: `^\[RUN\] (.*?)\s*$` would be a lazy scan of every [RUN] line.
    if (body.startsWith(RUN_PREFIX)) {
      RUN_TOKEN.name = body.slice(RUN_PREFIX.length).trimEnd();
      return RUN_TOKEN;
    }
    const fact = infoFact(body, c0);
    if (fact) return { kind: 'info', fact };
    const st = VMTESTS_STATUS.exec(body);
    if (st) return { kind: 'vm-status', status: st[1] as 'PASS' | 'FAIL' | 'SKIP' };
  } else if (c0 === 80 /* P */) {
    const pm = PLANNED_MISMATCH.exec(body);
    if (pm) return { kind: 'planned-mismatch', planned: Number(pm[1]), run: Number(pm[2]) };
  } else if (c0 === 114 /* r */) {
    const bn = VMTESTS_BANNER.exec(body);
    if (bn) {
      const program = programName(bn[1] ?? '');
      return { kind: 'banner', program, selftest: (bn[2] ?? '') === '' ? selftestOfProgram(program) : null };
    }
  } else if (c0 === 115 /* s */) {
    const h = RUNNER_HEADER.exec(body);
    if (h) {
      const program = h[2] ?? '';
      return { kind: 'runner-header', suite: h[1] ?? '', program, selftest: selftestOfProgram(program) };
    }
  } else if (c0 === 45 /* - */) {
    if (DASH_RULE.test(body)) return WRAPPER_NOISE;
  } else if (c0 === 83 /* S */) {
    const sm = VMTESTS_SUMMARY.exec(body);
    if (sm)
      return { kind: 'vm-summary', pass: Number(sm[1]), skip: Number(sm[2]), fail: Number(sm[3]) };
    if (VMTESTS_SKIP_LINE.test(body)) return WRAPPER_NOISE;
  }
  if (c0 === 116 /* t */ || c0 === 111 /* o */) {
    const to = RUNNER_TIMEOUT.exec(body);
    if (to) return { kind: 'runner-timeout', seconds: Number(to[1]) };
  }
  if (c0 !== 91 /* [ */) {
    const fact = infoFact(body, c0);
    if (fact) return { kind: 'info', fact };
  }
  const pr = promptProgram(body);
  if (pr !== null) return { kind: 'prompt', program: programName(pr) };
  const owner = programLineOwner(body, c0);
  if (owner >= 0) return { kind: 'program-line', owner };
  return TEXT;
}
