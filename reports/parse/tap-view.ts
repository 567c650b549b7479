/**
 * What a generic TAP consumer (tap-parser, as LKFT/KernelCI-style tooling would use a TAP
 * library) makes of a run, for side-by-side display in triage: "tap-parser says pass:49, the
 * kernel's Totals say pass:39 skip:10".
 *
 * Computed on demand, not during parsing, so parseLog stays one pass. The run's own TAP lines
 * are re-emitted at level 0 and fed to a tap-parser Parser as *data* (never to tap's test
 * stream). Known ways kselftest output defeats it, visible in the result:
 *  - `Bail out!` stops the Parser: the `# Totals:` line after it is never seen;
 *  - `ok N # SKIP` is counted in `pass` as well as in `skip`;
 *  - XFAIL/XPASS/error are not directives, so they end up in the test name;
 *  - the 'missing' sub-tests of the v6.16 unknown-fs bug are invisible (no line at all).
 */
import { Parser } from 'tap-parser';
import type { ParsedRun } from './types.js';

export interface TapParserView {
  ok: boolean;
  count: number;
  pass: number;
  fail: number;
  skip: number;
  bailout: string | false;
  /** tap-parser's complaints (plan mismatch, missing plan). */
  tapErrors: string[];
}

/** Re-emit the run's TAP (version, plan, results, bail out) and parse it with tap-parser. */
export function tapParserView(run: ParsedRun): TapParserView {
  const lines: string[] = [];
  if (run.tapVersion) lines.push(`TAP version ${run.tapVersion.version}`);
  if (run.plan) lines.push(`1..${run.plan.count}`);
  for (const s of run.subtests) if (s.resultText !== null) lines.push(s.resultText);
  if (run.bailout) lines.push(run.bailout.text);
  let view: TapParserView = {
    ok: false,
    count: 0,
    pass: 0,
    fail: 0,
    skip: 0,
    bailout: false,
    tapErrors: [],
  };
  const parser = new Parser((results) => {
    view = {
      ok: results.ok,
      count: results.count,
      pass: results.pass,
      fail: results.fail,
      skip: results.skip,
      bailout: typeof results.bailout === 'string' ? results.bailout : false,
      tapErrors: results.failures
        .map((f) => (typeof f.tapError === 'string' ? f.tapError : null))
        .filter((e): e is string => e !== null),
    };
  });
  parser.end(lines.join('\n') + '\n');
  return view;
}
