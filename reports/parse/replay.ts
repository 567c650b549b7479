/**
 * Replaying repeated run bodies. A CI log repeats the same run thousands of times (the bench's
 * 50 MB runner log: 7,716 runs of 30 contents): once a run's body — the lines between the line
 * that opened the run and the one that moved the parser on — has been seen twice, it is parsed
 * once more on its own (a shadow parser) into a template: the lines, the run state before and
 * after them. A later run that opens in the same state (line numbers aside) and whose next
 * lines are exactly the template's is not parsed line by line: the state after is the
 * template's, copied with its line numbers moved (replay-state.ts), and the counters (lines,
 * characters, work, fragments, transport facts) advance by the template's. Then parsing goes
 * on normally — the line that ends the run (its own `ok N …` verdict) included.
 *
 * Exact by construction: the parser is deterministic, its run state is all in the RunBuilder
 * (plus the containers, required idle, and the log record, required untouched by the body),
 * and it is translation-invariant in line numbers. A body whose parse touched anything outside
 * the run (a log-level issue, a container, another run) makes no template. A mismatch part-way
 * feeds the lines matched so far through the normal path, in order, so nothing is lost.
 */
import { detach } from './lines.js';
import type { RunBuilder } from './run-builder.js';
import { equalShifted, shiftedCopy, UncopyableState } from './replay-state.js';
import type { TransportFacts } from './types.js';

/** What the replayer needs of its LogParser. */
export interface ReplayHost {
  /** Parse one physical line the normal way. */
  process(raw: string): void;
  run(): RunBuilder | null;
  setRun(run: RunBuilder): void;
  lineNo(): number;
  /** Containers idle (nothing open around the run). */
  idle(): boolean;
  /** Advance the counters as parsing `lines` lines would have. */
  advance(delta: Delta): void;
  /** A parser without replay whose current run is `run`, at line `lineNo`. */
  shadow(run: RunBuilder, lineNo: number): ShadowParser;
}

export interface ShadowParser {
  process(raw: string): void;
  run(): RunBuilder | null;
  /** Nothing but the run changed: containers idle, log record untouched. */
  clean(): boolean;
  delta(): Delta;
}

export interface Delta {
  lines: number;
  chars: number;
  work: number;
  fragments: number;
  facts: TransportFacts;
}

interface Template {
  startLine: number;
  end: RunBuilder;
  delta: Delta;
}

/**
 * Body lines as a trie: a template sits at the node of its last line. Each node knows its line
 * and its parent, so a replay that fails part-way gets the lines it matched from the path
 * (matchedLines()) instead of keeping each line of every replayed run in an array.
 */
interface TrieNode {
  next: Level | null;
  template: Template | null;
  /** The body line this node stands for (a detached copy: equal to the line matched). */
  line: string;
  parent: TrieNode | null;
}

/** The lines from the root to `node`, in order ([] for none). */
function matchedLines(node: TrieNode | null): string[] {
  const out: string[] = [];
  for (let n = node; n !== null; n = n.parent) out.push(n.line);
  return out.reverse();
}

/**
 * The lines that may come next. Most levels have one (runs differ in a few places), and one
 * string compare is cheaper than hashing a fresh line for a Map lookup.
 */
interface Level {
  only: string | null;
  onlyNode: TrieNode | null;
  map: Map<string, TrieNode>;
}

function step(level: Level, line: string): TrieNode | undefined {
  if (level.only !== null) return line === level.only ? level.onlyNode! : undefined;
  return level.map.get(line);
}

function newLevel(): Level {
  return { only: null, onlyNode: null, map: new Map() };
}

function child(level: Level, line: string, parent: TrieNode | null): TrieNode {
  let node = level.map.get(line);
  if (!node) {
    node = { next: null, template: null, line, parent };
    level.map.set(line, node);
  }
  const single = level.map.size === 1;
  level.only = single ? line : null;
  level.onlyNode = single ? node : null;
  return node;
}

/** Templates whose runs open in one state (line numbers aside), by their body lines. */
interface StartClass {
  startLine: number;
  start: RunBuilder;
  root: Level;
}

/** Start classes kept; templates kept over all of them (cleared when full). */
const MAX_CLASSES = 16;
const MAX_TEMPLATES = 256;
/** Bodies longer than this are not recorded (a pathological run stays one normal parse). */
const MAX_BODY_LINES = 20_000;
/** Body hashes remembered as seen once. */
const MAX_SEEN = 4096;

const mix = (h: number, x: number): number => Math.imul(h ^ x, 0x01000193) >>> 0;

export class Replayer {
  private classes: StartClass[] = [];
  private templateCount = 0;
  private readonly seen = new Set<number>();
  /** A run opened by the last line, in an idle parser: the next line may start a replay. */
  private opened: { builder: RunBuilder; cls: StartClass | null } | null = null;
  private rec: {
    builder: RunBuilder;
    start: RunBuilder;
    cls: StartClass | null;
    lines: string[];
    hash: number;
  } | null = null;
  /** A replay in progress: the next lines allowed, the node of the last line matched (null: none yet). */
  private match: {
    level: Level;
    node: TrieNode | null;
    builder: RunBuilder;
    cls: StartClass;
  } | null = null;
  /** Runs replayed (for the bench and tests). */
  replayed = 0;

  constructor(private readonly host: ReplayHost) {}

  push(raw: string): void {
    if (this.match) return this.matchLine(raw);
    const o = this.opened;
    if (o) {
      this.opened = null;
      const cls = o.cls;
      if (cls && step(cls.root, raw) !== undefined) {
        this.match = { level: cls.root, node: null, builder: o.builder, cls };
        return this.matchLine(raw);
      }
      this.startRecording(o.builder, cls);
    }
    this.normal(raw);
  }

  /** End of input: lines held by a replay in progress are parsed the normal way. */
  finish(): void {
    if (this.match) this.abandon();
  }

  private normal(raw: string): void {
    const host = this.host;
    const before = host.run();
    host.process(raw);
    const run = host.run();
    const rec = this.rec;
    if (rec) {
      if (run === rec.builder && rec.lines.length < MAX_BODY_LINES) {
        rec.lines.push(raw);
        rec.hash = mix(mix(rec.hash, raw.length), raw.charCodeAt(raw.length >> 1));
      } else {
        this.rec = null;
        if (run !== rec.builder) this.endRecording(rec);
      }
    }
    if (run !== null && run !== before && run.startLine === host.lineNo() && host.idle()) {
      this.opened = { builder: run, cls: this.classOf(run) };
    }
  }

  /** The start class `b` opens in, if any (the most recent first: runs come in streaks). */
  private classOf(b: RunBuilder): StartClass | null {
    const cs = this.classes;
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i]!;
      if (equalShifted(c.start, b, b.startLine - c.startLine)) {
        if (i !== cs.length - 1) cs.push(cs.splice(i, 1)[0]!);
        return c;
      }
    }
    return null;
  }

  private startRecording(b: RunBuilder, cls: StartClass | null): void {
    try {
      this.rec = { builder: b, start: shiftedCopy(b, 0), cls, lines: [], hash: 0x811c9dc5 };
    } catch (e) {
      if (!(e instanceof UncopyableState)) throw e;
    }
  }

  private matchLine(raw: string): void {
    const m = this.match!;
    const node = step(m.level, raw);
    if (node === undefined) {
      // The lines matched so far, then this one, the normal way.
      this.abandon();
      this.normal(raw);
      return;
    }
    m.node = node;
    if (node.template) this.apply(node.template, m.builder);
    else if (node.next) m.level = node.next;
    else this.abandon();
  }

  private abandon(): void {
    const m = this.match!;
    this.match = null;
    this.startRecording(m.builder, m.cls);
    // The lines matched are the path's (equal strings: the parse cannot tell them apart).
    for (const line of matchedLines(m.node)) this.normal(line);
  }

  private apply(t: Template, builder: RunBuilder): void {
    this.match = null;
    this.host.setRun(shiftedCopy(t.end, builder.startLine - t.startLine));
    this.host.advance(t.delta);
    this.replayed++;
  }

  private endRecording(rec: {
    start: RunBuilder;
    cls: StartClass | null;
    lines: string[];
    hash: number;
  }): void {
    if (rec.lines.length === 0) return;
    const h = mix(rec.hash, rec.lines.length);
    if (!this.seen.has(h)) {
      if (this.seen.size >= MAX_SEEN) this.seen.clear();
      this.seen.add(h);
      return;
    }
    this.makeTemplate(rec.start, rec.cls, rec.lines.map(detach));
  }

  private makeTemplate(start: RunBuilder, known: StartClass | null, lines: string[]): void {
    let end: RunBuilder;
    let sh: ShadowParser;
    try {
      end = shiftedCopy(start, 0);
      sh = this.host.shadow(end, start.startLine);
    } catch (e) {
      if (e instanceof UncopyableState) return;
      throw e;
    }
    for (const line of lines) sh.process(line);
    if (sh.run() !== end || !sh.clean()) return;
    if (this.templateCount >= MAX_TEMPLATES) {
      this.classes = [];
      this.templateCount = 0;
      known = null;
    }
    let cls = known;
    if (!cls) {
      if (this.classes.length >= MAX_CLASSES) this.classes.shift();
      cls = { startLine: start.startLine, start, root: newLevel() };
      this.classes.push(cls);
    }
    // A class's templates are kept at its start line (their runs open in the same state).
    const t: Template = {
      startLine: cls.startLine,
      end: shiftedCopy(end, cls.startLine - start.startLine),
      delta: sh.delta(),
    };
    let level = cls.root;
    let parent: TrieNode | null = null;
    for (let i = 0; i < lines.length; i++) {
      const node = child(level, lines[i]!, parent);
      parent = node;
      if (i === lines.length - 1) {
        node.template ??= t;
      } else {
        node.next ??= newLevel();
        level = node.next;
      }
    }
    this.templateCount++;
  }
}
