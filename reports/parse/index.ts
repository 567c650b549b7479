/**
 * gupsim's log parser: real gup_longterm logs (bare, wrapped by the kselftest runner and/or
 * run_vmtests.sh, mailed, console-captured, crashed) → runs of observed sub-tests keyed by the
 * stable ids of cases/ids.ts. Never throws; problems are returned as data.
 *
 *   parseLog(text)            whole log in memory
 *   parseLines(iterable)      any line source
 *   parseStream(stream)       bytes/strings, e.g. fs.createReadStream — constant memory per line
 *   parseFile(path)           convenience over parseStream
 *   new LogParser()           push(line) / finish() for callers that own the loop
 */
import { createReadStream } from 'node:fs';
import { LogParser } from './log-parser.js';
import { linesOfStream, splitText } from './lines.js';
import type { ParsedLog } from './types.js';

export function parseLines(lines: Iterable<string>): ParsedLog {
  const p = new LogParser();
  try {
    for (const line of lines) p.push(line);
  } catch (e) {
    // The parser itself does not throw; a throwing iterable is the caller's, reported as data.
    return withError(p.finish(), e);
  }
  return p.finish();
}

export function parseLog(text: string): ParsedLog {
  return parseLines(splitText(typeof text === 'string' ? text : String(text)));
}

export async function parseStream(stream: AsyncIterable<string | Uint8Array>): Promise<ParsedLog> {
  const p = new LogParser();
  try {
    for await (const line of linesOfStream(stream)) p.push(line);
  } catch (e) {
    return withError(p.finish(), e);
  }
  return p.finish();
}

/** Stream a log file from disk. A read error (missing file) is returned in `errors`. */
export function parseFile(path: string): Promise<ParsedLog> {
  return parseStream(createReadStream(path));
}

function withError(log: ParsedLog, e: unknown): ParsedLog {
  log.errors.push({
    line: null,
    code: 'read-error',
    message: e instanceof Error ? e.message : String(e),
  });
  return log;
}

export { LogParser } from './log-parser.js';
export { LineSplitter, linesOfStream, splitText, MAX_LINE_CHARS } from './lines.js';
export { tapParserView, type TapParserView } from './tap-view.js';
export { idFromPosition, backingsFor, planFits } from './positions.js';
export { parseResultLine, type ResultLine } from './result-line.js';
export { VERDICT_PRIORITY, VERDICTS, worstVerdict, emptyCounts } from './verdict.js';
export type { Verdict, VerdictCounts } from './verdict.js';
export type * from './types.js';
