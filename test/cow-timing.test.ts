/**
 * The two cow logs whose rows depend on timing (test/fixtures/logs/cow, runs without
 * CAP_IPC_LOCK at RLIMIT_MEMLOCK 64 KiB): their environment files are in
 * test/fixtures/logs/cow-timing, not beside the logs, because cow-golden.test.ts holds every
 * log with an environment file there to every byte. Here every byte must match outside the
 * rows named below, and those rows must be pass or SKIP in both.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseEnvironment } from '../cases/env.js';
import { predict } from '../cases/predict.js';
import { FIXTURES } from './helpers.js';

const LOGS = join(FIXTURES, 'cow');
const ENVS = join(FIXTURES, 'cow-timing');

/**
 * Rows that depend on timing: without CAP_IPC_LOCK and with RLIMIT_MEMLOCK at 64 KiB (16
 * pages), a 32 kB THP buffer (8 pages, the whole folio even when one PTE is registered) and
 * the ring's 2 pages fit only once the previous test's ring has been freed. That happens in
 * io_ring_exit_work(), after an RCU grace period, while the program goes on; the model lets it
 * finish between two tests (CowCtx.start()), the real runs did not always wait that long: the
 * two builds on the same kernel, whose do_test_iouring() is the same code, failed different
 * rows. In these rows the real line may be the model's pass or a SKIP for
 * io_uring_register_buffers() or io_uring_queue_init(); everything else is byte for byte.
 */
const TIMING_ROWS: Record<string, readonly number[]> = {
  '6.18-host-st6.12-cow-root-noipclock-memlock64': [
    327, 329, 331, 332, 335, 337, 380, 382, 384, 385, 392,
  ],
  '6.18-host-st7.2-cow-root-noipclock-memlock64': [329, 331, 332],
};

/** The `exit` column of INDEX.md, by log name. */
function indexExitCodes(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(join(LOGS, 'INDEX.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 7 || !cells[1]!.endsWith('.log')) continue;
    out.set(cells[1]!.replace(/\.log$/, ''), Number(cells[5]));
  }
  return out;
}

const IO_URING_REASON = /^# io_uring_(register_buffers|queue_init)\(\) failed$/;
const RESULT = /^(?:not )?ok (\d+) /;

/**
 * The log without the listed rows' result lines (and the E2 reason line before each) and
 * without the Totals line; the removed result lines, by row.
 */
function withoutRows(
  text: string,
  rows: ReadonlySet<number>,
): { rest: string; removed: Map<number, string> } {
  const lines = text.split('\n');
  const keep: string[] = [];
  const removed = new Map<number, string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('# Totals: ') || / skipped test\(s\) detected\. /.test(line)) continue;
    const next = lines[i + 1] ?? '';
    const m = RESULT.exec(line);
    const nm = RESULT.exec(next);
    if (IO_URING_REASON.test(line) && nm && rows.has(Number(nm[1]))) continue;
    if (m && rows.has(Number(m[1]))) {
      removed.set(Number(m[1]), line);
      continue;
    }
    keep.push(line);
  }
  return { rest: keep.join('\n'), removed };
}

function totals(text: string): number {
  const m =
    /^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) error:(\d+)$/m.exec(text);
  return m ? m.slice(1).reduce((a, b) => a + Number(b), 0) : -1;
}

const exits = indexExitCodes();
const envs = readdirSync(ENVS)
  .filter((f) => f.endsWith('.env.json'))
  .sort();

t.test('each timing log has its environment file here and none beside the log', async (t) => {
  t.same(
    envs.map((f) => f.replace('.env.json', '')),
    Object.keys(TIMING_ROWS).sort(),
  );
  for (const f of envs)
    t.notOk(readdirSync(LOGS).includes(f), `${f} not in test/fixtures/logs/cow`);
});

for (const f of envs) {
  const name = f.replace('.env.json', '');
  t.test(`reproduces ${name}`, async (t) => {
    const r = parseEnvironment(readFileSync(join(ENVS, f), 'utf8'));
    if (!r.ok) throw new Error(r.error);
    const log = readFileSync(join(LOGS, `${name}.log`), 'utf8');
    const p = predict(r.env, { trace: false });
    if ('error' in p) throw new Error(p.error);
    t.equal(p.exitCode, exits.get(name), 'exit code from INDEX.md');
    const timing = TIMING_ROWS[name]!;
    const rows = new Set(timing);
    const want = withoutRows(log, rows);
    const got = withoutRows(p.stdout, rows);
    t.equal(got.rest, want.rest, 'byte for byte outside the timing rows');
    t.equal(totals(p.stdout), totals(log), 'as many results in the Totals line');
    for (const row of timing) {
      const w = want.removed.get(row)!;
      const g = got.removed.get(row)!;
      t.ok(
        w.startsWith(`ok ${row} `) && g.startsWith(`ok ${row} `),
        `row ${row}: pass or SKIP in both`,
      );
    }
  });
}
