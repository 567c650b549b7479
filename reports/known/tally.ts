/**
 * What a known-issues file found over many runs (a log, a history, an export), per entry, in
 * bounded memory: how many runs it was in scope of, seen in, not seen in — and so which known
 * issues no longer happen (the entry's tests now pass, or no longer appear) and which expired.
 */
import type { KnownMatcher } from './match.js';
import { refOf } from './overlay.js';
import type { KnownRef, KnownRunNote } from './types.js';

export type KnownStatus = 'seen' | 'no-longer-seen' | 'partly-seen' | 'out-of-scope' | 'expired';

export interface KnownIssueTally {
  issue: KnownRef;
  status: KnownStatus;
  /** Runs the entry was in force and in scope for. */
  inScope: number;
  seen: number;
  /** In scope, its tests there, none failing as listed. */
  notSeen: number;
  /** In scope, none of its tests in the run. */
  absent: number;
  lastSeen: string | null;
  /** The first runs after its last sighting where it was not seen (`run 4: id passes`). */
  since: string[];
  expires: string | null;
}

/** Examples kept per entry. */
const EXAMPLES = 3;

interface Acc {
  issue: KnownRef;
  inScope: number;
  seen: number;
  notSeen: number;
  absent: number;
  lastSeen: string | null;
  /** Not-seen runs since the last sighting (examples only), and whether the last run in scope saw it. */
  since: string[];
  lastWasSeen: boolean;
}

export class KnownTally {
  private readonly acc = new Map<string, Acc>();

  constructor(private readonly matcher: KnownMatcher) {
    for (const e of matcher.active) {
      this.acc.set(e.id, {
        issue: refOf(e),
        inScope: 0,
        seen: 0,
        notSeen: 0,
        absent: 0,
        lastSeen: null,
        since: [],
        lastWasSeen: false,
      });
    }
  }

  get file(): string {
    return this.matcher.file;
  }

  /** One run's notes (runs in order); `where` names the run (`run 3`, `log.txt run 2`). */
  add(notes: readonly KnownRunNote[] | undefined, where: string): void {
    for (const n of notes ?? []) {
      const a = this.acc.get(n.issue.id);
      if (!a) continue;
      a.inScope++;
      if (n.status === 'seen') {
        a.seen++;
        a.lastSeen = where;
        a.since = [];
        a.lastWasSeen = true;
        continue;
      }
      if (n.status === 'not-seen') a.notSeen++;
      else a.absent++;
      a.lastWasSeen = false;
      if (a.since.length < EXAMPLES)
        a.since.push(
          `${where}: ${n.status === 'absent' ? 'none of its tests ran' : n.tests.join(', ')}`,
        );
    }
  }

  /** Every entry of the file, expired ones last. */
  result(): KnownIssueTally[] {
    const out: KnownIssueTally[] = [];
    for (const e of this.matcher.active) {
      const a = this.acc.get(e.id)!;
      const status: KnownStatus =
        a.inScope === 0
          ? 'out-of-scope'
          : a.seen === 0
            ? 'no-longer-seen'
            : a.seen === a.inScope
              ? 'seen'
              : a.lastWasSeen
                ? 'partly-seen'
                : 'no-longer-seen';
      out.push({
        issue: a.issue,
        status,
        inScope: a.inScope,
        seen: a.seen,
        notSeen: a.notSeen,
        absent: a.absent,
        lastSeen: a.lastSeen,
        since: a.since,
        expires: e.expires,
      });
    }
    for (const e of this.matcher.expired) {
      out.push({
        issue: refOf(e),
        status: 'expired',
        inScope: 0,
        seen: 0,
        notSeen: 0,
        absent: 0,
        lastSeen: null,
        since: [],
        expires: e.expires,
      });
    }
    return out;
  }
}

/** One line per entry, for the text outputs. */
export function tallyLine(t: KnownIssueTally): string {
  const id = t.issue.id;
  switch (t.status) {
    case 'expired':
      return `${id}: expired on ${t.expires}, not applied`;
    case 'out-of-scope':
      return `${id}: not in scope of any run (kernel, machine or arch)`;
    case 'seen':
      return `${id}: seen in ${t.seen} run(s) — ${t.issue.reason}`;
    case 'partly-seen':
      return `${id}: seen in ${t.seen} of ${t.inScope} run(s) in scope, the last in ${t.lastSeen}; not seen in ${t.notSeen + t.absent}`;
    case 'no-longer-seen':
      return t.lastSeen === null
        ? `${id}: known issue no longer seen: in scope of ${t.inScope} run(s), none fails as listed (${t.since.join('; ')})`
        : `${id}: known issue no longer seen since ${t.lastSeen} (${t.since.join('; ')}); seen in ${t.seen} of ${t.inScope} run(s) in scope`;
  }
}

/** The tally as JSON output holds it. */
export function tallyJson(file: string, tallies: readonly KnownIssueTally[]): unknown {
  return { file, issues: tallies };
}

/** The text block after a report: the file, then one line per entry. */
export function tallyBlock(file: string, tallies: readonly KnownIssueTally[]): string {
  const head = `known issues (${file}): ${tallies.length} entr${tallies.length === 1 ? 'y' : 'ies'}`;
  return [head, ...tallies.map((t) => `  ${tallyLine(t)}`)].join('\n');
}
