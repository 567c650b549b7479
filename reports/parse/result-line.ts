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
  ok: boolean;
  number: number;
  /** Text between the number and the directive; '' when absent (kselftest SKIP lines). */
  description: string;
  directive: ResultDirective | null;
  verdict: Verdict;
}

/** Parse a result body (wrapper `# ` already removed), or null when it is not a result line. */
export function parseResultLine(body: string): ResultLine | null {
  return parseUncached(body);
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
