/**
 * Store timings for `npm run bench` (bench/run.ts calls benchStore): recording through the
 * real triage path, bulk recording, and history queries over 10,000 runs. Figures only; the
 * tests assert behaviour, never time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disappeared, failingSince, flapping, buildTimelines } from '../reports/history/index.js';
import { FORMATS, loadReportModel } from '../reports/formats/index.js';
import { diffLogText, listRuns, openStore, recordLog, recordLogs, verdictRows, type RecordInput } from '../reports/store/index.js';

const LOG = fileURLToPath(new URL('../test/fixtures/logs/public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log', import.meta.url));

function ms(start: bigint): string {
  return `${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms`;
}

export async function benchStore(): Promise<string[]> {
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'gupsim-bench-'));
  try {
    const store = openStore(join(dir, 'bench.db'));
    const base = readFileSync(LOG, 'utf8');
    let t0 = process.hrtime.bigint();
    const report = diffLogText(base, 'bench');
    lines.push(`diff: infer the environment of one log and triage it (first time in the process): ${ms(t0)}`);
    const env = report.runs[0]?.env;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) {
      const text = `bench ${i}\n${base}`;
      recordLog(store, { text, source: 'bench', meta: { machine: `m${i % 4}` }, report: diffLogText(text, 'bench', env) });
    }
    lines.push(`store: record 200 logs one by one, environment given (parse + triage + transaction each): ${ms(t0)}`);

    t0 = process.hrtime.bigint();
    const batch: RecordInput[] = [];
    for (let i = 0; i < 10_000; i++) {
      batch.push({ text: `bulk ${i}`, source: 'bulk', meta: { machine: `m${i % 4}`, kernel: '6.18', date: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() }, report });
      if (batch.length === 1000) recordLogs(store, batch.splice(0));
    }
    lines.push(`store: bulk-record 10,000 pre-triaged runs (56 results each): ${ms(t0)}`);

    t0 = process.hrtime.bigint();
    const runs = listRuns(store);
    const rows = verdictRows(store);
    lines.push(`store: load ${runs.length} runs and ${rows.length} verdict rows: ${ms(t0)}`);
    t0 = process.hrtime.bigint();
    buildTimelines(runs, rows);
    failingSince(runs, rows);
    flapping(runs, rows);
    disappeared(runs, rows);
    lines.push(`history: timelines + failing-since + flapping + disappeared over all runs: ${ms(t0)}`);
    t0 = process.hrtime.bigint();
    verdictRows(store, { machine: 'm1' }, 'rw/gup/shared/memfd');
    lines.push(`history: one sub-test on one machine (indexed): ${ms(t0)}`);
    t0 = process.hrtime.bigint();
    const model = loadReportModel(store, { filter: { machine: 'm2' } });
    const html = FORMATS.html.render(model);
    lines.push(`report: html for ${model.runs.length} runs (${(html.length / 1e6).toFixed(1)} MB): ${ms(t0)}`);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
