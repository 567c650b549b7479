/**
 * Goal 2 (inference; issue 16 goal 4), measured as it is today: the diff of one real log with
 * the environment inferred, for every distinct fixture log with an environment file (each a first diff: nothing memoised), after one
 * warm-up diff so the first log does not pay for the JIT alone. The inference caches are
 * emptied first: the ingest bench before it infers the same live runs, and a run found in the
 * inference memo is not inferred at all. Views cached by one log's search still serve the
 * logs after it, as they would in a CI process (logs share machines).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { diffLog } from '../reports/diff/index.js';
import { clearInferenceCaches, searchPredictions } from '../reports/diff/infer-cache.js';
import { median, timed } from './measure.js';

export interface InferFigures {
  logs: number;
  medianMs: number;
  p90Ms: number;
  worstMs: number;
  worstLog: string;
  /** Trace-less predict() calls the worst log's search ran (the search's cost is mostly these). */
  worstLogPredictions: number;
  /** The most any one log's search ran. */
  maxPredictions: number;
}

/**
 * The real logs the goal is about: every fixture log with an environment file beside it, of
 * every selftest (gup_longterm's public, live and realruns logs, cow's), each distinct once.
 */
export function realLogs(): { name: string; text: string }[] {
  const seen = new Set<string>();
  const out: { name: string; text: string }[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log') && existsSync(p.replace(/\.log$/, '.env.json'))) {
        const text = readFileSync(p, 'utf8');
        if (seen.has(text)) continue;
        seen.add(text);
        out.push({ name: p.slice('test/fixtures/logs/'.length), text });
      }
    }
  };
  walk('test/fixtures/logs');
  return out;
}

/**
 * `rounds` passes over the logs, each from empty caches; a log's figure is the median of its
 * passes (wall time: the diff is single-threaded, and the median damps a loaded machine).
 */
export function inferFigures(rounds = 3): InferFigures {
  const logs = realLogs();
  clearInferenceCaches();
  const warm = logs[0];
  if (warm) diffLog(`${warm.text}\n# bench warm-up`, 'warm-up');
  const perLog = new Map<string, { ms: number[]; predictions: number }>();
  for (let round = 0; round < Math.max(1, rounds); round++) {
    // The warm-up's (or the last round's) inferences are memoised: empty the caches, so each
    // log's diff is a first diff.
    clearInferenceCaches();
    for (const l of logs) {
      const before = searchPredictions();
      const t = timed(() => diffLog(l.text, l.name));
      if (t.value.runs.length === 0) continue;
      const seen = perLog.get(l.name) ?? { ms: [], predictions: searchPredictions() - before };
      seen.ms.push(t.wallMs);
      perLog.set(l.name, seen);
    }
  }
  const times = [...perLog].map(([name, v]) => ({ name, ms: median(v.ms), predictions: v.predictions }));
  const ms = times.map((x) => x.ms).sort((a, b) => a - b);
  const worst = times.reduce((a, b) => (b.ms > a.ms ? b : a), { name: '', ms: 0, predictions: 0 });
  return {
    logs: times.length,
    medianMs: median(ms),
    p90Ms: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.9))] ?? NaN,
    worstMs: worst.ms,
    worstLog: worst.name,
    worstLogPredictions: worst.predictions,
    maxPredictions: Math.max(0, ...times.map((x) => x.predictions)),
  };
}
