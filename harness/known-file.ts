/**
 * `--known FILE`: a lab's known-issues file (reports/known/schema.ts), read like every other
 * input (a regular file, bounded) and checked whole before any command uses it: every mistake
 * is one `FILE:LINE: …` line on stderr, exit 2, and nothing is applied.
 */
import { readFileSync } from 'node:fs';
import { KnownMatcher } from '../reports/known/match.js';
import { parseKnownIssues } from '../reports/known/schema.js';
import { UsageError, UsageErrors } from './io.js';
import { checkRegularFile } from './read-input.js';

/** A known-issues file is a list a lab keeps by hand: a few KiB. */
export const KNOWN_LIMIT_BYTES = 1024 * 1024;

export const KNOWN_HELP = `  --known FILE      the lab's known issues (YAML, see README "Known issues"): a failure an entry
                    lists is "known" (its reason and link), not one that needs a human`;

/** The file's matcher, or undefined without --known. `now` decides which entries expired. */
export function loadKnown(
  path: string | undefined,
  now: Date = new Date(),
): KnownMatcher | undefined {
  if (path === undefined) return undefined;
  if (path === '-') throw new UsageError('--known: give a file (stdin carries the log)');
  checkRegularFile(path, KNOWN_LIMIT_BYTES, `--known ${path}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch (e) {
    if (e instanceof TypeError) throw new UsageError(`${path}: not UTF-8 text`);
    throw new UsageError(
      `--known ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const r = parseKnownIssues(text, path);
  if (!r.ok) throw new UsageErrors(r.errors);
  return new KnownMatcher(r.known, now);
}
