/** The readable `gupsim diff` report: one block per run, differences first. */
import type {
  DiffReport,
  EvidenceComparison,
  RunDiff,
  SubtestComparison,
  TriageClass,
} from '../types.js';
import { sgr } from '../../formats/escape.js';

export interface TextOptions {
  colour: boolean;
}

const COLOURS: Record<TriageClass, string> = {
  match: '32',
  known: '34',
  'expected-failure': '36',
  environment: '36',
  'test-bug': '33',
  missing: '35',
  unexplained: '35',
  'kernel-regression': '31;1',
  conflict: '31;1',
  crash: '31;1',
  infrastructure: '33;1',
};

export function paint(on: boolean, cls: TriageClass, text: string): string {
  // sgr(): a token the CLI's stdout turns into the colour (harness/terminal-io.ts); a raw ESC
  // here would be shown as \x1b there, like every ESC a log brings.
  return on ? `${sgr(COLOURS[cls])}${text}${sgr('0')}` : text;
}

function verdict(v: string | null): string {
  return v === null ? 'absent' : v.toUpperCase();
}

function row(s: SubtestComparison, colour: boolean): string {
  const num = s.number === null ? '   -' : `#${String(s.number).padStart(3)}`;
  const what = s.observed === s.predicted ? verdict(s.observed) : `${verdict(s.observed)} (model ${verdict(s.predicted)})`;
  // A known failure: the lab's entry first, then what gupsim had said of it.
  const why = s.known
    ? `known issue ${s.known.id}: ${s.known.reason} (${s.known.link}); gupsim: ${s.known.was}: ${s.explanation}`
    : s.explanation;
  return `    ${num}  ${(s.id ?? '?').padEnd(44)} ${what.padEnd(22)} ${paint(colour, s.class, s.class)}\n           ${why}`;
}

/** A piece of run-level evidence that is not a match: what the log says, what the model says. */
function evidenceRow(e: EvidenceComparison, colour: boolean): string {
  const model = e.predicted === null ? 'the model: no such line' : `the model: "${e.predicted}"`;
  return `    ${e.kind.padEnd(18)} "${e.observed}" (${model})  ${paint(colour, e.class, e.class)}\n           ${e.explanation}`;
}

/** A run's first line: where it is and its triage. */
export function runHeader(source: string, r: RunDiff, o: TextOptions): string {
  const span = `lines ${r.parsed.startLine}–${r.parsed.endLine}`;
  return `${source}: run ${r.index + 1} (${span}): ${paint(o.colour, r.triage, r.triage.toUpperCase())}`;
}

/**
 * Everything of a run's block below its header: what the run says, nothing of where it is in
 * the log. Runs with equal bodies are one outcome in `gupsim diff`'s summary (summary.ts).
 */
export function runBody(r: RunDiff, o: TextOptions): string {
  const lines: string[] = [];
  lines.push(`  ${r.summary}`);
  if (r.env) {
    const facts = Object.entries(r.inferred)
      .map(([k, f]) => `${k}=${typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value)}${f.certainty === 'certain' ? '' : ` (${f.certainty})`}`)
      .join(', ');
    lines.push(`  selftest ${r.selftest}; environment: ${facts}`);
  }
  const notable = r.subtests.filter((s) => s.class !== 'match');
  for (const s of notable) lines.push(row(s, o.colour));
  const matched = r.subtests.length - notable.length;
  if (r.subtests.length)
    lines.push(`  ${matched} of ${r.subtests.length} sub-tests match the model.`);
  for (const e of r.evidence)
    if (e.class !== 'match' && e.class !== 'expected-failure') lines.push(evidenceRow(e, o.colour));
  if (r.exitCode.observed !== null && r.exitCode.observed !== r.exitCode.predicted) {
    lines.push(`  exit code: log ${r.exitCode.observed}, model ${r.exitCode.predicted}`);
  }
  for (const n of r.knownNotes ?? [])
    if (n.status === 'not-seen') lines.push(`  known issue ${n.issue.id} not seen here: ${n.tests.join(', ')}`);
  return lines.join('\n');
}

function runBlock(source: string, r: RunDiff, o: TextOptions): string {
  return `${runHeader(source, r, o)}\n${runBody(r, o)}`;
}

export function renderText(reports: readonly DiffReport[], o: TextOptions): string {
  const out: string[] = [];
  for (const rep of reports) {
    for (const i of rep.issues) out.push(`${rep.source}: ${i}`);
    for (const r of rep.runs) out.push(runBlock(rep.source, r, o));
  }
  return out.join('\n\n') + '\n';
}

/**
 * renderText's output, written one run at a time. A log's issues are printed after its runs
 * (they are known only when the log has been read); issues of logs read before any run was
 * found wait for the first run, so a caller can still refuse input with no run at all.
 */
export class TextWriter {
  private blocks = 0;
  private held: string[] = [];

  constructor(
    private readonly write: (s: string) => void,
    private readonly o: TextOptions,
  ) {}

  private block(text: string): void {
    this.write(this.blocks === 0 ? text : `\n\n${text}`);
    this.blocks++;
  }

  run(source: string, r: RunDiff): void {
    this.flush();
    this.block(runBlock(source, r, this.o));
  }

  logIssues(source: string, messages: readonly string[]): void {
    for (const m of messages) this.held.push(`${source}: ${m}`);
    if (this.blocks > 0) this.flush();
  }

  logDone(): void {}

  private flush(): void {
    const held = this.held;
    this.held = [];
    for (const h of held) this.block(h);
  }

  /** `extra`: blocks after every log (a known-issues file's tally). */
  end(extra: readonly string[] = []): void {
    this.flush();
    for (const b of extra) this.block(b);
    this.write('\n');
  }
}
