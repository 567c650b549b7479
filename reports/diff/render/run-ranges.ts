/**
 * Which runs of a log share an outcome, in a few words and bounded memory: run numbers in
 * arithmetic progressions (`9–12`, `2–7702 every 11th`: a CI log cycling through machines
 * repeats each machine's run at a fixed stride), each with the lines of its first and last
 * run. The first SHOWN progressions are kept; later ones are only counted.
 */

/** Progressions listed; the rest of the runs are counted. */
const SHOWN = 6;

interface Span {
  start: number;
  end: number;
}

interface Progression {
  first: number;
  last: number;
  stride: number;
  count: number;
  firstLines: Span;
  lastLines: Span;
}

function lines(a: Span, b?: Span): string {
  const one = (s: Span): string => (s.start === s.end ? `${s.start}` : `${s.start}–${s.end}`);
  if (!b) return `line${a.start === a.end ? '' : 's'} ${one(a)}`;
  return `lines ${one(a)} … ${one(b)}`;
}

function ordinal(n: number): string {
  const t = n % 100;
  const suffix =
    t >= 11 && t <= 13
      ? 'th'
      : n % 10 === 1
        ? 'st'
        : n % 10 === 2
          ? 'nd'
          : n % 10 === 3
            ? 'rd'
            : 'th';
  return `${n}${suffix}`;
}

function progressionText(p: Progression): string[] {
  if (p.count === 1) return [`${p.first} (${lines(p.firstLines)})`];
  if (p.stride === 1)
    return [`${p.first}–${p.last} (${lines({ start: p.firstLines.start, end: p.lastLines.end })})`];
  if (p.count === 2)
    return [`${p.first} (${lines(p.firstLines)})`, `${p.last} (${lines(p.lastLines)})`];
  return [`${p.first}–${p.last} every ${ordinal(p.stride)} (${lines(p.firstLines, p.lastLines)})`];
}

export class RunRanges {
  private readonly shown: Progression[] = [];
  private open: Progression | null = null;
  /** Runs past the shown progressions, and the last of them. */
  private more = 0;
  private moreRanges = 0;
  private lastRun = 0;
  count = 0;

  /** Add run number `run` (1-based, increasing) and its lines. */
  add(run: number, span: Span): void {
    this.count++;
    this.lastRun = run;
    this.extend(run, span);
  }

  private extend(run: number, span: Span): void {
    const o = this.open;
    if (!o) {
      this.open = { first: run, last: run, stride: 1, count: 1, firstLines: span, lastLines: span };
      return;
    }
    if (o.count === 1 || run - o.last === o.stride) {
      if (o.count === 1) o.stride = run - o.first;
      o.last = run;
      o.count++;
      o.lastLines = span;
      return;
    }
    if (o.count === 2 && o.stride !== 1) {
      // Two runs at a stride other than 1 are no progression yet: the first stands alone, the
      // second may start one with this run.
      this.keep({ ...o, last: o.first, count: 1, lastLines: o.firstLines });
      this.open = {
        first: o.last,
        last: o.last,
        stride: 1,
        count: 1,
        firstLines: o.lastLines,
        lastLines: o.lastLines,
      };
      this.extend(run, span);
      return;
    }
    this.keep(o);
    this.open = { first: run, last: run, stride: 1, count: 1, firstLines: span, lastLines: span };
  }

  private keep(p: Progression): void {
    if (this.shown.length < SHOWN) this.shown.push(p);
    else {
      this.more += p.count;
      this.moreRanges++;
    }
  }

  /** `2–7702 every 11th (lines 113–219 … 821990–822096), 7703 (lines …)`. */
  text(): string {
    const parts: string[] = [];
    for (const p of this.shown) parts.push(...progressionText(p));
    let more = this.more;
    let ranges = this.moreRanges;
    if (this.open) {
      if (this.shown.length < SHOWN && ranges === 0) parts.push(...progressionText(this.open));
      else {
        more += this.open.count;
        ranges++;
      }
    }
    if (more > 0)
      parts.push(
        `… ${more} more run(s) in ${ranges} range(s), up to run ${this.lastRun} (--all-runs lists every run)`,
      );
    return parts.join(', ');
  }
}
