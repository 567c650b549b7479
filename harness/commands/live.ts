/**
 * `gupsim live --binary PATH`: run a real gup_longterm on this machine (execa, argument array,
 * a timeout, a scratch directory as its cwd), then diff its output against the prediction for
 * the detected environment.
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { environmentFromJson } from '../../cases/env.js';
import { parseLog } from '../../reports/parse/index.js';
import { diffParsed, needsHuman } from '../../reports/diff/index.js';
import { renderText } from '../../reports/diff/render/text.js';
import { diffJson } from '../../reports/diff/render/json.js';
import { prefixLines } from '../../cases/runners/output.js';
import { detectEnvironment } from '../detect.js';
import { importExternal } from '../import-external.js';
import { EXIT_ATTENTION, EXIT_OK, UsageError, type CliIO } from '../io.js';

export const LIVE_HELP = `usage: gupsim live --binary PATH [--cwd DIR] [--timeout SEC] [--liburing VER|none] [--json] [--keep-log FILE]

Run a real gup_longterm binary here (in a scratch directory unless --cwd), detect this
machine's environment, and diff the output against the model's prediction.`;

export async function liveCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      binary: { type: 'string' },
      cwd: { type: 'string' },
      timeout: { type: 'string' },
      liburing: { type: 'string' },
      json: { type: 'boolean' },
      'keep-log': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(LIVE_HELP + '\n');
    return EXIT_OK;
  }
  if (!values.binary) throw new UsageError('--binary PATH is required');
  const binary = resolve(values.binary);
  if (!existsSync(binary)) throw new UsageError(`${values.binary}: no such file`);
  const timeout = values.timeout ? Number(values.timeout) : 300;
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout: expected seconds > 0');
  const scratch = values.cwd ? undefined : mkdtempSync(join(tmpdir(), 'gupsim-live-'));
  const cwd = values.cwd ? resolve(values.cwd) : scratch!;
  try {
    const detected = detectEnvironment(cwd);
    if (values.liburing) (detected.env.selftest as Record<string, unknown>).liburing = values.liburing === 'none' ? null : values.liburing;
    const env = environmentFromJson(detected.env);
    if (!env.ok) throw new UsageError(`detected environment is invalid: ${env.error}`);
    for (const n of detected.notes) io.stderr.write(`gupsim live: ${n}\n`);
    // Loaded here, not at the top: only `gupsim live` runs a real binary.
    const { execa } = await importExternal<typeof import('execa')>('execa');
    const r = await execa(binary, [], { cwd, timeout: timeout * 1000, reject: false, all: true, stdin: 'ignore' });
    // Recorded the way the kselftest runner would, so the verdict, exit code and a timeout
    // are read by the same parser as any CI log.
    const hdr = 'selftests: mm: gup_longterm';
    let log = `# ${hdr}\n${prefixLines(r.all ?? '', '# ')}`;
    if (log && !log.endsWith('\n')) log += '\n';
    if (r.timedOut) log += `not ok 1 ${hdr} # TIMEOUT ${timeout} seconds\n`;
    else if (r.exitCode === 0) log += `ok 1 ${hdr}\n`;
    else log += `not ok 1 ${hdr} # exit=${r.exitCode ?? 128}\n`;
    if (values['keep-log']) writeFileSync(values['keep-log'], log);
    const report = diffParsed(parseLog(log), binary, { env: env.env });
    io.stdout.write(values.json ? JSON.stringify(diffJson([report]), null, 2) + '\n' : renderText([report], { colour: io.isTTY && !('NO_COLOR' in io.env) }));
    return needsHuman(report) ? EXIT_ATTENTION : EXIT_OK;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
