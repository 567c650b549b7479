/**
 * `gupsim diff`'s text report of a log as a summary: one block per distinct outcome — the
 * block a run would get, less its header — with how many runs had it and which (run-ranges.ts),
 * then the log's totals. A 50 MB runner log of 7,800 runs of a dozen machines reads in a few
 * screens; a log whose runs all differ (one run, or a few) reads exactly as `--all-runs`.
 *
 * A summary needs the whole log, so this keeps what it prints — each distinct outcome's text,
 * its run count and ranges — never the runs. Runs that reuse an earlier diff (run-differ.ts)
 * share its sub-test list, so their text is found by that object, not built again.
 */
import { NEEDS_HUMAN, TRIAGE_PRIORITY, type RunDiff, type TriageClass } from '../types.js';
import { RunRanges } from './run-ranges.js';
import { paint, runBody, runHeader, type TextOptions } from './text.js';

interface Outcome {
  triage: TriageClass;
  body: string;
  /** The first run, for a block of one run (then printed as --all-runs prints it). */
  header: string;
  ranges: RunRanges;
}

export class SummaryTextWriter {
  private blocks = 0;
  private held: string[] = [];
  private outcomes = new Map<string, Outcome>();
  /** A reused diff's sub-test list → its outcome text (weak: a run's own list dies with it). */
  private known = new WeakMap<object, string>();

  constructor(
    private readonly write: (s: string) => void,
    private readonly o: TextOptions,
  ) {}

  private block(text: string): void {
    this.write(this.blocks === 0 ? text : `\n\n${text}`);
    this.blocks++;
  }

  run(source: string, r: RunDiff): void {
    let body = this.known.get(r.subtests);
    if (body === undefined) {
      body = runBody(r, this.o);
      this.known.set(r.subtests, body);
    }
    let out = this.outcomes.get(body);
    if (!out) {
      out = {
        triage: r.triage,
        body,
        header: runHeader(source, r, this.o),
        ranges: new RunRanges(),
      };
      this.outcomes.set(body, out);
    }
    out.ranges.add(r.index + 1, { start: r.parsed.startLine, end: r.parsed.endLine });
  }

  logIssues(source: string, messages: readonly string[]): void {
    for (const m of messages) this.held.push(`${source}: ${m}`);
  }

  /** The log is read: its outcomes, its totals (when runs were grouped), its issues. */
  logDone(source: string): void {
    const outcomes = [...this.outcomes.values()];
    this.outcomes = new Map();
    this.known = new WeakMap();
    for (const out of outcomes) {
      if (out.ranges.count === 1) this.block(`${out.header}\n${out.body}`);
      else {
        const head = `${source}: ${out.ranges.count} runs: ${paint(this.o.colour, out.triage, out.triage.toUpperCase())}`;
        this.block(`${head}\n  runs ${out.ranges.text()}\n${out.body}`);
      }
    }
    if (outcomes.some((o) => o.ranges.count > 1)) this.block(totals(source, outcomes));
    if (outcomes.length > 0) this.flush();
  }

  private flush(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) this.block(h);
  }

  end(extra: readonly string[] = []): void {
    this.flush();
    for (const b of extra) this.block(b);
    this.write('\n');
  }
}

/** `log: 7716 runs, 11 distinct outcomes: 7015 match, 701 expected-failure; none needs a human`. */
function totals(source: string, outcomes: readonly Outcome[]): string {
  const runs = new Map<TriageClass, number>();
  let all = 0;
  for (const o of outcomes) {
    runs.set(o.triage, (runs.get(o.triage) ?? 0) + o.ranges.count);
    all += o.ranges.count;
  }
  const order = [...runs.keys()].sort(
    (a, b) => TRIAGE_PRIORITY.indexOf(b) - TRIAGE_PRIORITY.indexOf(a),
  );
  const human = order.filter((c) => NEEDS_HUMAN.has(c)).reduce((n, c) => n + runs.get(c)!, 0);
  return `${source}: ${all} runs, ${outcomes.length} distinct outcome${outcomes.length === 1 ? '' : 's'}: ${order
    .map((c) => `${runs.get(c)} ${c}`)
    .join(
      ', ',
    )}; ${human === 0 ? 'none needs a human' : `${human} need${human === 1 ? 's' : ''} a human`}`;
}
