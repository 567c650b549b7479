/**
 * Split a physical line into the logical lines that were glued into it.
 *
 * Two real causes:
 *  - a selftest's message that lacks its newline (gup_longterm v6.15's `(EINVAL)n` typo: the
 *    selftests' plug-ins name theirs, ./selftests.ts GLUES), so the next output (a result, a
 *    `# [RUN]`, `Bail out!`, the counters) continues on the same line;
 *  - a kernel message written to the console in the middle of a program line (serial logs):
 *    `ok 3 Should have wo[   45.123456] BUG: ...`.
 *
 * A wrapper prefixes only the *physical* line, so the glued tail has no wrapper `# `; its own
 * `# ` (if it is a diagnostic) must be counted on top of the wrapper level of the head.
 */
import { EMBEDDED_DMESG_TIMESTAMP, DMESG_TIMESTAMP } from './patterns.js';
import { GLUE_HINTS, GLUES } from './selftests.js';
import { countLevels, type Leveled } from './transport.js';

export interface Fragment extends Leveled {
  /** Text of a kernel console message found inside the line (never program output). */
  kernel: boolean;
  /** True for every fragment after the first of a glued line. */
  glued: boolean;
}

/** Heads that are the program's TAP lines (no `# ` of the program's own). */
const TAP_HEAD = /^(?:(?:not )?ok \d|Bail out!|\d+\.\.\d+|K?TAP version )/;

const SINGLE: Fragment = { level: 0, body: '', kernel: false, glued: false };

/** Bound on glue splits per line (a crafted line of a million `)nok 1` stays linear). */
const MAX_SPLITS = 64;

/** A substring test per glue (its hint) before any regex. */
function mayBeGlued(body: string): boolean {
  for (let i = 0; i < GLUE_HINTS.length; i++) if (body.indexOf(GLUE_HINTS[i]!) >= 0) return true;
  return false;
}

/** The first glue point in `body`: where the glued line ends, or -1. */
function gluePoint(body: string): number {
  let at = -1;
  for (const g of GLUES) {
    const m = g.at.exec(body);
    if (m && (at < 0 || m.index + m[0].length < at)) at = m.index + m[0].length;
  }
  return at;
}

/**
 * The fragments of one line, in order, to `emit`. Almost no line is glued: one native
 * substring test for each cause (a `[` after the start, a glue's hint) settles it before any regex.
 */
export function splitGlued(first: Leveled, work: { n: number }, emit: (f: Fragment) => void): void {
  const body = first.body;
  if (body.indexOf('[', 1) < 0 && !mayBeGlued(body)) {
    work.n++;
    // One object for every unglued line: the router reads a fragment and never keeps it.
    SINGLE.level = first.level;
    SINGLE.body = body;
    emit(SINGLE);
    // Not left holding the line: it is a slice of the whole log text, which V8 would keep
    // alive (all 50 MB of a big log) for as long as this module lives.
    SINGLE.body = '';
    return;
  }
  for (const f of splitSlow(first, work)) emit(f);
}

function splitSlow(first: Leveled, work: { n: number }): Fragment[] {
  const out: Fragment[] = [];
  let cur: Leveled = first;
  let glued = false;
  for (let i = 0; i < MAX_SPLITS; i++) {
    work.n++;
    const k = cur.body.search(EMBEDDED_DMESG_TIMESTAMP);
    const g = gluePoint(cur.body);
    if (k > 0 && (g < 0 || k < g)) {
      const head = cur.body.slice(0, k).trimEnd();
      if (head !== '') out.push({ level: cur.level, body: head, kernel: false, glued });
      const msg = cur.body.slice(k).replace(DMESG_TIMESTAMP, '');
      out.push({ level: 0, body: msg.trimEnd(), kernel: true, glued: true });
      return out;
    }
    if (g < 0) break;
    const head = cur.body.slice(0, g);
    const tail = cur.body.slice(g);
    out.push({ level: cur.level, body: head, kernel: false, glued });
    // The head's own program-level `# `: none if it is a TAP line, one if a diagnostic.
    const wrapperLevel = TAP_HEAD.test(head) ? cur.level : Math.max(0, cur.level - 1);
    const own = countLevels(tail, work);
    cur = { level: wrapperLevel + own.level, body: own.body };
    glued = true;
  }
  out.push({ level: cur.level, body: cur.body, kernel: false, glued });
  return out;
}
