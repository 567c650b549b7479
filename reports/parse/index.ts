/**
 * gupsim's log parser: real selftest logs — gup_longterm, cow (cases/selftests/*), bare,
 * wrapped by the kselftest runner and/or run_vmtests.sh, mailed, console-captured, crashed —
 * → runs of observed sub-tests keyed by each test's stable ids, each run naming its test.
 * Never throws; problems are returned as data.
 *
 *   parseLog(text)                  whole log in memory
 *   parseLines(iterable)            any line source
 *   parseStream(stream, options?)   bytes/strings, e.g. fs.createReadStream — constant memory
 *                                   per line; with `{ onRun }` also per run (streaming)
 *   parseFile(path, options?)       convenience over parseStream
 *   new LogParser(options?)         push(line) / finish() for callers that own the loop
 *
 * Every function takes `{ onRun(run) }`: each run is handed to it as soon as it ends and the
 * parser keeps nothing of it (ParsedLog.runs is then empty; stats.runs counts them).
 */
import { createReadStream } from 'node:fs';
import { LogParser, type LogParserOptions } from './log-parser.js';
import { CHUNK_BYTES, LineSplitter, textOfStream } from './lines.js';
import type { ParsedLog } from './types.js';

export function parseLines(lines: Iterable<string>, options: LogParserOptions = {}): ParsedLog {
  const p = new LogParser(options);
  try {
    for (const line of lines) p.push(line);
  } catch (e) {
    // The parser itself does not throw; a throwing iterable is the caller's, reported as data.
    return withError(p.finish(), e);
  }
  return p.finish();
}

export function parseLog(text: string, options: LogParserOptions = {}): ParsedLog {
  const s = typeof text === 'string' ? text : String(text);
  // splitText's lines, without a generator step per line (the hot loop of a large log).
  const p = new LogParser(options);
  const n = s.length;
  let start = 0;
  while (start < n) {
    const nl = s.indexOf('\n', start);
    if (nl < 0) {
      p.push(s.slice(start));
      break;
    }
    p.push(s.slice(start, nl));
    start = nl + 1;
  }
  return p.finish();
}

export async function parseStream(
  stream: AsyncIterable<string | Uint8Array>,
  options: LogParserOptions = {},
): Promise<ParsedLog> {
  const p = new LogParser(options);
  // Lines are pushed synchronously per chunk: an async generator per line would cost a
  // promise round-trip for each of a large log's million lines (and an array per chunk, garbage).
  const splitter = new LineSplitter();
  const push = (line: string): void => p.push(line);
  try {
    for await (const text of textOfStream(stream)) splitter.feed(text, push);
    for (const line of splitter.end()) p.push(line);
  } catch (e) {
    return withError(p.finish(), e);
  }
  return p.finish();
}

/** Stream a log file from disk. A read error (missing file) is returned in `errors`. */
export function parseFile(path: string, options: LogParserOptions = {}): Promise<ParsedLog> {
  return parseStream(createReadStream(path, { highWaterMark: CHUNK_BYTES }), options);
}

function withError(log: ParsedLog, e: unknown): ParsedLog {
  log.errors.push({
    line: null,
    code: 'read-error',
    message: e instanceof Error ? e.message : String(e),
  });
  return log;
}

export { LogParser, type LogParserOptions, type RunSink } from './log-parser.js';
export { CHUNK_BYTES, LineSplitter, linesOfStream, splitText, MAX_LINE_CHARS } from './lines.js';
export { tapParserView, type TapParserView } from './tap-view.js';
export { idFromPosition, backingsFor, planFits } from '../../cases/selftests/gup_longterm/positions.js';
export { parseResultLine, type ResultLine } from './result-line.js';
export { VERDICT_PRIORITY, VERDICTS, worstVerdict, emptyCounts } from './verdict.js';
export type { Verdict, VerdictCounts } from './verdict.js';
export type * from './types.js';
