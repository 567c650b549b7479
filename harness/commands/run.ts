/**
 * `gupsim run`: print exactly what gup_longterm (or its runner) prints for an environment and
 * exit with its exit code. `--explain` appends each sub-test's kernel trace; `--json` prints
 * the sub-test records instead of TAP.
 */
import { parseArgs } from 'node:util';
import { predict, type Prediction } from '../../cases/predict.js';
import type { TraceEvent } from '../../kernel-model/trace.js';
import { ENV_FLAG_OPTIONS, ENV_FLAGS_HELP, environmentFromFlags } from '../env-flags.js';
import { EXIT_OK, UsageError, type CliIO } from '../io.js';

export const RUN_HELP = `usage: gupsim run [--env FILE] [flags] [--explain | --json]

Print, byte for byte, what tools/testing/selftests/mm/gup_longterm (or, with --test cow,
cow) prints in that environment, and exit with its exit code.

  --explain   after the output, each sub-test's kernel trace (function, decision, commit)
  --json      sub-test records (stable id, verdict, errno, trace) instead of the output

${ENV_FLAGS_HELP}`;

export function formatTraceEvent(e: TraceEvent): string {
  const cite = e.commit ? ` [${e.commit}, ${e.release}]` : '';
  const err = e.errno ? ` -> ${e.errno}` : '';
  return `${e.fn}: ${e.detail}${err}${cite}`;
}

export function explainText(p: Prediction): string {
  const lines: string[] = ['', `=== gupsim --explain: selftest ${p.run.build.version.id} (tree ${p.run.build.tree}), kernel ${p.env.kernel.release}`];
  if (p.run.setupTrace.length) {
    lines.push('--- setup');
    for (const e of p.run.setupTrace) lines.push(`    ${formatTraceEvent(e)}`);
  }
  for (const s of p.run.subtests) {
    const num = s.number === null ? 'no result line' : `#${s.number}`;
    lines.push(`--- ${s.id} (${num}) ${s.verdict}${s.errno ? `, errno ${s.errno}` : ''}: ${s.name}`);
    for (const d of s.diagnostics) lines.push(`    # ${d}`);
    for (const e of s.trace) lines.push(`    ${formatTraceEvent(e)}`);
  }
  return lines.join('\n') + '\n';
}

export function predictionJson(p: Prediction): unknown {
  return {
    selftest: { version: p.run.build.version.id, tree: p.run.build.tree },
    kernel: p.env.kernel,
    runner: p.env.runner,
    plan: p.run.plan,
    exitCode: p.exitCode,
    signal: p.run.signal,
    subtests: p.run.subtests,
  };
}

export async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...ENV_FLAG_OPTIONS, explain: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(RUN_HELP + '\n');
    return EXIT_OK;
  }
  const env = environmentFromFlags(values);
  // The kernel trace is built only for the outputs that show it.
  const p = predict(env, { trace: values.explain === true || values.json === true });
  if ('error' in p) throw new UsageError(p.error);
  if (values.json) {
    io.stdout.write(JSON.stringify(predictionJson(p), null, 2) + '\n');
    return p.exitCode;
  }
  io.stdout.write(p.stdout);
  if (values.explain) io.stdout.write(explainText(p));
  return p.exitCode;
}
