/**
 * One TAP result line → number, description, directive, verdict.
 *
 * tap-parser's `parseDirective` is used for what it knows (SKIP/TODO, case-insensitive, with
 * its `skip*` spelling rule), but kselftest defeats it beyond that: tap-parser knows only
 * SKIP/TODO/time=, so `# XFAIL`, `# XPASS`, `# error` (kselftest) and `# exit=1`,
 * `# TIMEOUT 45 seconds` (runner.sh) would be glued onto the test *name* — a failing run and a
 * passing run would then name the same test differently. Those are recognised here instead.
 */
import { parseDirective } from 'tap-parser';
import { detach } from './lines.js';
import { DIRECTIVE_KEYWORD, DIRECTIVE_SPLIT, TAP_RESULT } from './patterns.js';
import type { ResultDirective } from './types.js';
import type { Verdict } from './verdict.js';

export interface ResultLine {
  /** The line as parsed; a line seen before is the same string object (compares in O(1)). */
  text: string;
  ok: boolean;
  number: number;
  /** Text between the number and the directive; '' when absent (kselftest SKIP lines). */
  description: string;
  directive: ResultDirective | null;
  verdict: Verdict;
}

/**
 * Result N of a run is almost always result N of one of the last few runs, verbatim (CI logs
 * repeat a few programs on a few machines): the last WAYS lines parsed per number are kept,
 * and a line equal to one of them (a string compare, instant when the lengths differ) is not
 * parsed again. Entries hold detached copies, never a slice of the input.
 */
const RECENT_LIMIT = 1024;
const WAYS = 8;
const recentText: (string | undefined)[] = [];
const recentParsed: (Readonly<ResultLine> | undefined)[] = [];
const nextWay: number[] = [];

/** Parse a result body (wrapper `# ` already removed), or null when it is not a result line. */
export function parseResultLine(body: string): ResultLine | null {
  const r = parseResultLineShared(body);
  return r === null ? null : copyOf(r);
}

/**
 * parseResultLine without the copy: a repeated line gives the same frozen-by-convention object
 * (the parser's hot path; it copies the directive into each sub-test, subtests.ts).
 */
export function parseResultLineShared(body: string): Readonly<ResultLine> | null {
  const n = quickNumber(body);
  if (n < 0) return parseUncached(body);
  if (n >= RECENT_LIMIT) return parseUncached(detach(body));
  const base = n * WAYS;
  for (let w = 0; w < WAYS; w++) {
    const t = recentText[base + w];
    if (t === undefined) break;
    if (t === body) return recentParsed[base + w]!;
  }
  const own = detach(body);
  const r = parseUncached(own);
  if (r === null) return null;
  const way = nextWay[n] ?? 0;
  nextWay[n] = (way + 1) % WAYS;
  recentText[base + way] = own;
  recentParsed[base + way] = r;
  return r;
}

/** The number of an `ok N` / `not ok N` line, cheaply; -1 for anything else. */
function quickNumber(body: string): number {
  let i = body.startsWith('ok ') ? 3 : body.startsWith('not ok ') ? 7 : -1;
  if (i < 0) return -1;
  let n = 0;
  const start = i;
  for (let c = body.charCodeAt(i); c >= 48 && c <= 57 && i - start < 6; c = body.charCodeAt(++i)) {
    n = n * 10 + (c - 48);
  }
  return i === start ? -1 : n;
}

/** Each sub-test gets its own objects: no parsed run shares one with another. */
function copyOf(r: Readonly<ResultLine>): ResultLine {
  const d = r.directive;
  return {
    text: r.text,
    ok: r.ok,
    number: r.number,
    description: r.description,
    directive: d === null ? null : { kind: d.kind, text: d.text },
    verdict: r.verdict,
  };
}

function parseUncached(body: string): ResultLine | null {
  const m = TAP_RESULT.exec(body);
  if (!m) return null;
  const ok = m[1] === undefined;
  const number = Number(m[2]);
  if (!Number.isSafeInteger(number)) return null;
  const rest = m[3] ?? '';
  const split = splitDirective(rest);
  const directive = split.directiveText === null ? null : classifyDirective(split.directiveText);
  return {
    text: body,
    ok,
    number,
    description: split.description,
    directive,
    verdict: verdictOf(ok, directive),
  };
}

function splitDirective(rest: string): { description: string; directiveText: string | null } {
  // kselftest SKIP lines start with the directive: `ok 4 # SKIP ...` → rest is `# SKIP ...`.
  if (rest === '#' || rest.startsWith('# ')) {
    return { description: '', directiveText: rest.slice(1).trim() };
  }
  const d = DIRECTIVE_SPLIT.exec(rest);
  if (!d) return { description: rest.trim(), directiveText: null };
  return {
    description: rest.slice(0, d.index).trim(),
    directiveText: rest.slice(d.index + d[0].length).trim(),
  };
}

/**
 * Directive texts repeat across the runs of a CI log (`SKIP need more free huge pages`), and
 * tap-parser's parseDirective is several regex passes: results are remembered by text (a
 * copy is returned, so no two sub-tests share an object). Bounded: cleared when full.
 */
const DIRECTIVES = new Map<string, ResultDirective>();
const DIRECTIVES_LIMIT = 4096;

function classifyDirective(text: string): ResultDirective {
  let d = DIRECTIVES.get(text);
  if (d === undefined) {
    const own = detach(text);
    d = classifyUncached(own);
    if (DIRECTIVES.size >= DIRECTIVES_LIMIT) DIRECTIVES.clear();
    DIRECTIVES.set(own, d);
  }
  return { kind: d.kind, text: d.text };
}

function classifyUncached(text: string): ResultDirective {
  const tp = parseDirective(text);
  if (tp && (tp[0] === 'skip' || tp[0] === 'todo')) {
    const reason: unknown = tp[1];
    return { kind: tp[0].toUpperCase(), text: typeof reason === 'string' ? reason : '' };
  }
  const k = DIRECTIVE_KEYWORD.exec(text);
  if (k) return { kind: (k[1] ?? '').toUpperCase(), text: (k[2] ?? '').trim() };
  return { kind: null, text };
}

/**
 * KTAP: SKIP is a skip with ok or not ok; XFAIL/XPASS are kselftest's expected-failure kinds;
 * `# error` and `# TIMEOUT` mean the test could not complete (error, not fail — KCIDB's ERROR);
 * TODO is TAP's expected failure. An unrecognised directive falls back to ok / not ok (KTAP).
 */
function verdictOf(ok: boolean, directive: ResultDirective | null): Verdict {
  switch (directive?.kind) {
    case 'SKIP':
      return 'skip';
    case 'XFAIL':
      return 'xfail';
    case 'XPASS':
      return 'xpass';
    case 'ERROR':
    case 'TIMEOUT':
      return 'error';
    case 'TODO':
      return ok ? 'xpass' : 'xfail';
    default:
      return ok ? 'pass' : 'fail';
  }
}
