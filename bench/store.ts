/**
 * Store timings for `npm run bench` (bench/run.ts calls benchStore): recording through the
 * real triage path, bulk recording, and history queries over 10,000 runs, on SQLite and — when
 * $GUPSIM_TEST_PG (or $GUPSIM_BENCH_PG) names a server — on PostgreSQL beside it. Figures
 * only; the tests assert behaviour, never time.
 */
import { clearInferenceCaches } from '../reports/diff/infer-cache.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disappeared, failingSince, flapping, buildTimelines } from '../reports/history/index.js';
import { FORMATS, loadReportModel } from '../reports/formats/index.js';
import { diffLogText, listRuns, openStore, recordLog, recordLogs, verdictRows, type RecordInput } from '../reports/store/index.js';
import type { DiffReport } from '../reports/diff/types.js';
import { scratchSchema } from '../test/helpers/pg.js';

const LOG = fileURLToPath(new URL('../test/fixtures/logs/public/004-kitayama-arm64-fvp-9p-run_vmtests-ftruncate-failed.log', import.meta.url));

function ms(start: bigint): string {
  return `${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms`;
}

/** The fixture log triaged once (inference is memoised in-process, so a second diff would cost nothing). */
interface Triaged {
  base: string;
  report: DiffReport;
}

async function benchBackend(name: string, location: string, lines: string[], { base, report }: Triaged): Promise<void> {
  const store = await openStore(location);
  try {
    const env = report.runs[0]?.env;
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) {
      const text = `bench ${i}\n${base}`;
      await recordLog(store, { text, source: 'bench', meta: { machine: `m${i % 4}` }, report: diffLogText(text, 'bench', env) });
    }
    lines.push(`${name} store: record 200 logs one by one, environment given (parse + triage + transaction each): ${ms(t0)}`);

    t0 = process.hrtime.bigint();
    const batch: RecordInput[] = [];
    for (let i = 0; i < 10_000; i++) {
      batch.push({ text: `bulk ${i}`, source: 'bulk', meta: { machine: `m${i % 4}`, kernel: '6.18', date: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() }, report });
      if (batch.length === 1000) await recordLogs(store, batch.splice(0));
    }
    lines.push(`${name} store: bulk-record 10,000 pre-triaged runs (56 results each): ${ms(t0)}`);

    t0 = process.hrtime.bigint();
    const runs = await listRuns(store);
    const rows = await verdictRows(store);
    lines.push(`${name} store: load ${runs.length} runs and ${rows.length} verdict rows: ${ms(t0)}`);
    t0 = process.hrtime.bigint();
    buildTimelines(runs, rows);
    failingSince(runs, rows);
    flapping(runs, rows);
    disappeared(runs, rows);
    lines.push(`${name} history: timelines + failing-since + flapping + disappeared over all runs: ${ms(t0)}`);
    t0 = process.hrtime.bigint();
    await verdictRows(store, { machine: 'm1' }, 'rw/gup/shared/memfd');
    lines.push(`${name} history: one sub-test on one machine (indexed): ${ms(t0)}`);
    t0 = process.hrtime.bigint();
    const model = await loadReportModel(store, { filter: { machine: 'm2' } });
    const html = FORMATS.html.render(model);
    lines.push(`${name} report: html for ${model.runs.length} runs (${(html.length / 1e6).toFixed(1)} MB): ${ms(t0)}`);
    // What every command pays before it reads or writes (open.ts): the integrity check.
    t0 = process.hrtime.bigint();
    const reader = await openStore(location, { readOnly: true });
    await reader.close();
    lines.push(`${name} store: open the history as a reader${name === 'sqlite' ? ' (PRAGMA quick_check of every page first)' : ''}: ${ms(t0)}`);
  } finally {
    await store.close();
  }
}

export async function benchStore(): Promise<string[]> {
  const lines: string[] = [];
  const base = readFileSync(LOG, 'utf8');
  // The ingest and inference benches ran before in this process: empty their caches, or this
  // "first" inference is a memo hit.
  clearInferenceCaches();
  const t0 = process.hrtime.bigint();
  const triaged = { base, report: diffLogText(base, 'bench') };
  lines.push(`diff: infer the environment of one log and triage it (from empty caches): ${ms(t0)}`);
  const dir = mkdtempSync(join(tmpdir(), 'gupsim-bench-'));
  try {
    await benchBackend('sqlite', join(dir, 'bench.db'), lines, triaged);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.GUPSIM_BENCH_PG || process.env.GUPSIM_TEST_PG;
  if (!url) {
    lines.push('postgresql: skipped (no server: set GUPSIM_BENCH_PG or GUPSIM_TEST_PG to a postgresql:// URL)');
    return lines;
  }
  const scratch = await scratchSchema(url, 'gupsim_bench');
  try {
    await benchBackend('postgresql', scratch.url, lines, triaged);
  } finally {
    await scratch.drop();
  }
  return lines;
}
