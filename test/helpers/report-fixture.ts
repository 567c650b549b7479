/**
 * A store filled from the shared fixture logs (plus one run with hostile text), and the
 * report model loaded from it: what test/formats.test.ts and test/html-browser.test.ts render.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnvironment, type Environment } from '../../cases/env.js';
import { loadReportModel, type ReportModel } from '../../reports/formats/model.js';
import { openStore } from '../../reports/store/open.js';
import { recordLog } from '../../reports/store/record.js';
import { diffLogText } from '../../reports/store/triage-source.js';
import type { RecordInput } from '../../reports/store/types.js';

const LOGS = fileURLToPath(new URL('../fixtures/logs/', import.meta.url));

export const FIXTURE_RUNS: { log: string; machine: string; date: string }[] = [
  { log: 'live/6.1.0-50-qemu-ext4-default', machine: 'qemu', date: '2025-01-01T10:00:00Z' },
  { log: 'live/6.12.117-guptest-qemu-ext4-default', machine: 'qemu', date: '2025-02-01T10:00:00Z' },
  { log: 'live/6.18-host-ext4-default', machine: 'host', date: '2025-03-01T10:00:00Z' },
  { log: 'public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed', machine: 'fvp', date: '2025-04-01T10:00:00Z' },
  { log: 'public/006-lkft-next-20250616-liburing-missing-exit127', machine: 'lkft', date: '2025-05-01T10:00:00Z' },
];

/** Text that breaks naive XML/HTML/JSON writers. */
export const HOSTILE = 'a</script><img src=x onerror=alert(1)> & "q" \'s\' ]]> \u0001 <!-- \u2028 end';

/** The triaged fixture logs, computed once per process (inference takes ~0.2–0.9 s a log). */
let triaged: RecordInput[] | undefined;

function fixtureInputs(): RecordInput[] {
  triaged ??= [
    ...FIXTURE_RUNS.map((f) => {
      const text = readFileSync(join(LOGS, `${f.log}.log`), 'utf8');
      const envFile = join(LOGS, `${f.log}.env.json`);
      let env: Environment | undefined;
      if (existsSync(envFile)) {
        const r = parseEnvironment(readFileSync(envFile, 'utf8'));
        if (!r.ok) throw new Error(`${envFile}: ${r.error}`);
        env = r.env;
      }
      // 004 and 006 have no environment file: theirs is inferred, as `gupsim record` would.
      return { text, source: f.log, meta: { machine: f.machine, date: f.date, env: env ?? null }, report: diffLogText(text, f.log, env) };
    }),
    hostileInput(),
  ];
  return triaged;
}

/** A hostile run: explanation, reason and machine carry markup; the raw log exceeds 16 KiB. */
function hostileInput(): RecordInput {
  const text = `${'x'.repeat(20_000)}\n${readFileSync(join(LOGS, 'public/008-stoakes-2025-after-unique-names-fail.log'), 'utf8')}`;
  const report = diffLogText(text, 'hostile');
  for (const run of report.runs) for (const s of run.subtests) {
    s.explanation = HOSTILE;
    s.observedReason = HOSTILE;
  }
  return { text, source: 'hostile', meta: { machine: 'evil<m>', kernel: '6.16"rc', date: '2025-06-01T00:00:00Z' }, report };
}

export async function buildFixtureModel(dir: string, options: { withLogs?: boolean } = {}): Promise<ReportModel> {
  const store = await openStore(join(dir, 'report.db'));
  try {
    for (const input of fixtureInputs()) await recordLog(store, input);
    return await loadReportModel(store, { withLogs: options.withLogs ?? false, now: new Date('2025-07-01T00:00:00Z') });
  } finally {
    await store.close();
  }
}
