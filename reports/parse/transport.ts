/**
 * Transport prefixes and wrapper levels.
 *
 * Two different things stand before the program's bytes on a line:
 *  1. transport decoration added by whoever carried the log (CR of CRLF, mail tab indentation,
 *     `> ` quoting, dmesg/LAVA/ISO timestamps, line-number gutters) — removed here, and noted in
 *     TransportFacts;
 *  2. kselftest's nesting: each wrapper (runner.sh, run_vmtests.sh) prefixes every line of the
 *     program it runs with `# `. These are *counted* (the line's level), not thrown away: the
 *     level says whose line it is (kunit_parser throws indentation away; kselftest nests by
 *     `# `, so here the count is the structure).
 */
import {
  DMESG_TIMESTAMP,
  ISO_CLOCK,
  LAVA_CLOCK,
  LEADING_WHITESPACE,
  LINE_NUMBER_GUTTER,
  MAIL_QUOTE,
} from './patterns.js';
import type { TransportFacts } from './types.js';

export function emptyTransportFacts(): TransportFacts {
  return { crlf: false, indented: false, quoted: false, timestamps: false, lineNumbers: false, lava: false };
}

/** Bound on prefix-stripping rounds per line, so a line of a million `> ` stays linear. */
const MAX_STRIP_ROUNDS = 16;

/**
 * Remove transport decoration from the start of a line (and CRs from its end). Decorations can
 * stack in any order (`> \t[ 1.2] # ...`), so strip repeatedly until nothing matches.
 * `work` is incremented per round for the linearity check.
 */
export function stripTransport(raw: string, facts: TransportFacts, work: { n: number }): string {
  let s = raw;
  if (s.charCodeAt(s.length - 1) === 13 /* \r */) {
    facts.crlf = true;
    s = s.replace(/\r+$/, '');
  }
  if (!mayBeDecorated(s)) {
    work.n++; // the one round that would have found nothing
    return s;
  }
  for (let round = 0; round < MAX_STRIP_ROUNDS; round++) {
    work.n++;
    const before = s;
    let m: RegExpExecArray | null;
    if ((m = LEADING_WHITESPACE.exec(s))) {
      facts.indented = true;
      s = s.slice(m[0].length);
    }
    if ((m = MAIL_QUOTE.exec(s))) {
      facts.quoted = true;
      s = s.slice(m[0].length);
    } else if (
      (m = DMESG_TIMESTAMP.exec(s)) ||
      (m = LAVA_CLOCK.exec(s)) ||
      (m = ISO_CLOCK.exec(s))
    ) {
      facts.timestamps = true;
      s = s.slice(m[0].length);
    } else if ((m = LINE_NUMBER_GUTTER.exec(s))) {
      facts.lineNumbers = true;
      s = s.slice(m[0].length);
    }
    if (s === before) break;
  }
  return s;
}

/**
 * Every decoration starts with whitespace, `>`, `[`, a digit, `L` or `#L`; a line starting with
 * anything else (`# ` of kselftest, `ok`, `not ok`, text) cannot carry one.
 */
function mayBeDecorated(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c === 35 /* # */) return s.charCodeAt(1) === 76 /* L */;
  return (
    c === 32 || c === 9 || c === 62 /* > */ || c === 91 /* [ */ || c === 76 /* L */ || (c >= 48 && c <= 57)
  );
}

/** A line's kselftest nesting: how many `# ` prefixes, and the text after them. */
export interface Leveled {
  level: number;
  body: string;
}

/**
 * Count `# ` prefixes. A bare `#` (kselftest printing an empty diagnostic, or runner.sh's
 * lone `#` before a TIMEOUT verdict) is one level with an empty body. `#L12` or `#foo` is not a
 * prefix. Trailing whitespace is dropped from the body: no format here gives it meaning.
 */
export function countLevels(text: string, work: { n: number }): Leveled {
  return countLevelsInto(text, work, { level: 0, body: '' });
}

/** countLevels writing into `out` (the line loop reuses one object: no garbage per line). */
export function countLevelsInto(text: string, work: { n: number }, out: Leveled): Leveled {
  let i = 0;
  let level = 0;
  const n = text.length;
  while (i < n && text.charCodeAt(i) === 35 /* # */) {
    work.n++;
    if (i + 1 === n) {
      level++;
      i++;
      break;
    }
    if (text.charCodeAt(i + 1) !== 32 /* space */) break;
    level++;
    i += 2;
  }
  out.level = level;
  out.body = (i === 0 ? text : text.slice(i)).trimEnd();
  return out;
}
