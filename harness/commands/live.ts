/**
 * `gupsim live --binary PATH`: run a real gup_longterm on this machine (argument array, its own
 * process group, a bounded timeout, a scratch directory as its cwd), then diff its output
 * against the prediction for the detected environment. A binary that cannot start is bad
 * input (exit 2), never a log to triage: a test that never ran has nothing to compare.
 */
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { environmentFromJson } from '../../cases/env.js';
import { parseLog } from '../../reports/parse/index.js';
import { diffParsed, needsHuman } from '../../reports/diff/index.js';
import { renderText } from '../../reports/diff/render/text.js';
import { diffJson } from '../../reports/diff/render/json.js';
import { prefixLines } from '../../cases/runners/output.js';
import { ALLOCATABLE_NOT_MEASURED, detectEnvironment } from '../detect.js';
import { EXIT_ATTENTION, EXIT_OK, UsageError, type CliIO } from '../io.js';
import { LOG_LIMIT_BYTES } from '../read-input.js';
import { HugetlbSampler } from '../hugetlb-sampler.js';
import { runGroup, StartError } from '../run-group.js';
import { parseFlags } from './common.js';

/** Seconds. The maximum is a day: far past any gup_longterm run, far below Node's timer limit. */
export const TIMEOUT_RANGE = { min: 0.1, max: 86_400, dflt: 300 } as const;

export const LIVE_HELP = `usage: gupsim live --binary PATH [--cwd DIR] [--timeout SEC] [--liburing VER|none] [--json] [--keep-log FILE]

Run a real gup_longterm binary here (in a scratch directory unless --cwd), detect this
machine's environment, and diff the output against the model's prediction.

  --timeout SEC   kill the binary and everything it started after SEC seconds
                  (${TIMEOUT_RANGE.min}–${TIMEOUT_RANGE.max}, default ${TIMEOUT_RANGE.dflt})

Exit: 0 explained, 1 something needs a human (a timeout too), 2 bad input or a binary that
cannot start.`;

/** A file this user can execute; otherwise the reason in one line. */
function checkBinary(path: string, shown: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new UsageError(`--binary ${shown}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as NodeJS.ErrnoException).code}`);
  }
  if (st.isDirectory()) throw new UsageError(`--binary ${shown}: is a directory`);
  if (!st.isFile()) throw new UsageError(`--binary ${shown}: not a regular file`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new UsageError(`--binary ${shown}: not executable (chmod +x?)`);
  }
}

export function timeoutSeconds(text: string | undefined): number {
  if (text === undefined) return TIMEOUT_RANGE.dflt;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < TIMEOUT_RANGE.min || n > TIMEOUT_RANGE.max) {
    throw new UsageError(`--timeout: expected seconds from ${TIMEOUT_RANGE.min} to ${TIMEOUT_RANGE.max} (a day), got "${text}"`);
  }
  return n;
}

export async function liveCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    binary: { type: 'string' },
    cwd: { type: 'string' },
    timeout: { type: 'string' },
    liburing: { type: 'string' },
    json: { type: 'boolean' },
    'keep-log': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(LIVE_HELP + '\n');
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; see --help`);
  if (!values.binary) throw new UsageError('--binary PATH is required');
  const binary = resolve(values.binary);
  checkBinary(binary, values.binary);
  const timeout = timeoutSeconds(values.timeout);
  if (values.cwd !== undefined) {
    // The filesystem of the test directory is a fact the diff relies on: never guess it.
    let isDir = false;
    try {
      isDir = statSync(values.cwd).isDirectory();
    } catch {
      throw new UsageError(`--cwd ${values.cwd}: no such directory`);
    }
    if (!isDir) throw new UsageError(`--cwd ${values.cwd}: not a directory`);
  }
  const scratch = values.cwd ? undefined : mkdtempSync(join(tmpdir(), 'gupsim-live-'));
  const cwd = values.cwd ? resolve(values.cwd) : scratch!;
  try {
    const detected = detectEnvironment(cwd);
    if (values.liburing) (detected.env.selftest as Record<string, unknown>).liburing = values.liburing === 'none' ? null : values.liburing;
    const env = environmentFromJson(detected.env);
    if (!env.ok) throw new UsageError(`detected environment is invalid: ${env.error}`);
    const pools = env.env.hugetlb;
    const sampler = new HugetlbSampler(pools.map((h) => h.sizeKiB));
    sampler.start();
    let r;
    try {
      r = await runGroup(binary, { cwd, timeoutMs: timeout * 1000, maxOutputBytes: LOG_LIMIT_BYTES });
    } catch (e) {
      if (e instanceof StartError) throw new UsageError(`--binary ${values.binary}: cannot start: ${e.message}`);
      throw e;
    } finally {
      sampler.stop();
    }
    // What the run itself showed: pools the test raised (the 7.2 hugetlb_setup()) yielded that
    // many pages — the allocatable count the model needs, measured instead of assumed.
    const raised = sampler.raised();
    for (const h of pools) {
      const got = raised.get(h.sizeKiB);
      if (got !== undefined) h.allocatable = got;
    }
    const notes = raised.size > 0 ? detected.notes.filter((n) => n !== ALLOCATABLE_NOT_MEASURED) : detected.notes;
    for (const [kb, got] of raised) notes.push(`hugetlb ${kb} kB: the test raised nr_hugepages by ${got} while it ran (recorded as allocatable)`);
    for (const n of notes) io.stderr.write(`gupsim live: ${n}\n`);
    // Recorded the way the kselftest runner would, so the verdict, exit code and a timeout
    // are read by the same parser as any CI log.
    const hdr = 'selftests: mm: gup_longterm';
    let log = `# ${hdr}\n${prefixLines(r.output, '# ')}`;
    if (log && !log.endsWith('\n')) log += '\n';
    if (r.outputCapped) io.stderr.write(`gupsim live: the binary printed more than ${LOG_LIMIT_BYTES / 1024 / 1024} MiB; it was stopped\n`);
    if (r.timedOut) log += `not ok 1 ${hdr} # TIMEOUT ${timeout} seconds\n`;
    else if (r.exitStatus === 0) log += `ok 1 ${hdr}\n`;
    else log += `not ok 1 ${hdr} # exit=${r.exitStatus ?? 128}\n`;
    if (values['keep-log']) writeFileSync(values['keep-log'], log);
    const report = diffParsed(parseLog(log), binary, { env: env.env });
    io.stdout.write(values.json ? JSON.stringify(diffJson([report]), null, 2) + '\n' : renderText([report], { colour: io.isTTY && !('NO_COLOR' in io.env) }));
    return needsHuman(report) ? EXIT_ATTENTION : EXIT_OK;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
