/**
 * The line-by-line driver: physical line → transport-stripped → leveled → glue-split →
 * routed (router.ts). One pass, one state machine for every input form (lines.ts).
 *
 * Why not tap-parser's Parser for this: kselftest nests by `# ` prefixes, which a TAP14 parser
 * reads as top-level comments (the whole gup_longterm run is one comment block under a runner);
 * its `Bail out!` handling stops the parser for good, so the `# Totals:` line kselftest prints
 * *after* the bail-out would be lost, and so would any later run in the same log; it counts
 * `ok N # SKIP` as a pass. So runs are isolated here by level, the way kunit_parser.py isolates
 * a KTAP stream by its prefix, and tap-parser is used line-by-line where it fits
 * (classify.ts, result-line.ts) and as a side view (tap-view.ts).
 *
 * Streaming: with `onRun`, each run is handed out when it ends and not kept, so memory does
 * not grow with the number of runs; without it, finish() returns them all in ParsedLog.runs.
 *
 * A LAVA job log (log.yaml, lava.ts) is recognised by its first line and read as the console
 * its `target` records hold, one record per line number: no conversion step, and every line
 * number in a message is a record number.
 */
import { splitGlued } from './glue.js';
import { MAX_LINE_CHARS } from './lines.js';
import { LogRecord, type RunSink } from './log-record.js';
import { Replayer, type ReplayHost } from './replay.js';
import { Router } from './router.js';
import { countLevelsInto, emptyTransportFacts, stripTransport, type Leveled } from './transport.js';
import { consoleText, decodeLavaRecord, isLavaLog } from './lava.js';
import type { ParsedLog } from './types.js';

export type { RunSink } from './log-record.js';

export interface LogParserOptions {
  /** Receives each finished run in log order; ParsedLog.runs then stays empty. */
  onRun?: RunSink;
  /**
   * Replay repeated run bodies instead of parsing them again (replay.ts; default true). The
   * result is the same either way; tests compare the two.
   */
  replay?: boolean;
}

/** A physical line that is only a sequence of CRs at its end (CRLF), not CR-separated text. */
const TRAILING_CRS = /^[^\r]*\r+$/;

/**
 * What a LAVA log.yaml record other than console text becomes on its way to process(): a
 * line that only counts (line numbers are record numbers), or a bad record's issue. Both start
 * with a low surrogate, which no console text can (lava.ts makes lone surrogates U+FFFD), and
 * both go through the replayer like any line, so the issues keep their order either way.
 */
const LAVA_RECORD = '\uDFFF';
const LAVA_BAD = '\uDFFE';

/** A log.yaml record as the line process() reads: its console text, or a marker. */
function lavaLine(raw: string): string {
  const rec = decodeLavaRecord(raw);
  if ('error' in rec) return `${LAVA_BAD}not a LAVA log.yaml record (${rec.error}); skipped`;
  const text = consoleText(rec);
  if (text === null) return LAVA_RECORD;
  if (typeof text === 'object') return `${LAVA_BAD}${text.error}; skipped`;
  return text;
}

export class LogParser {
  private readonly facts = emptyTransportFacts();
  private readonly work = { n: 0 };
  private chars = 0;
  private readonly record: LogRecord;
  private readonly router: Router;
  private readonly emit = (f: Parameters<Router['handle']>[0]): void => this.router.handle(f);
  private done: ParsedLog | null = null;
  /** Scratch for the current line's level and body (splitGlued copies what it keeps). */
  private readonly leveled: Leveled = { level: 0, body: '' };

  private readonly replayer: Replayer | null;
  /**
   * The input is a LAVA log.yaml (lava.ts): decided by its first line (undefined until then).
   * Each record is one line: its console text, or a LAVA_RECORD / LAVA_BAD marker.
   */
  private lava: boolean | undefined;

  constructor(options: LogParserOptions = {}) {
    this.record = new LogRecord(options.onRun ?? null);
    this.router = new Router(this.record, this.work);
    this.replayer = options.replay === false ? null : new Replayer(this.replayHost());
  }

  /** Runs whose body was replayed rather than parsed again. */
  get replayed(): number {
    return this.replayer?.replayed ?? 0;
  }

  /** Feed one physical line (without its `\n`). Never throws on any string. */
  push(raw: string): void {
    if (this.done) return;
    let line = raw;
    if (this.lava !== false) {
      if (this.lava === undefined) {
        this.lava = this.facts.lava = isLavaLog(raw);
        if (this.lava && raw.charCodeAt(0) === 0xfeff) line = raw.slice(1);
      }
      if (this.lava) line = lavaLine(line);
    }
    if (this.replayer) this.replayer.push(line);
    else this.process(line);
  }

  private replayHost(): ReplayHost {
    const router = this.router;
    return {
      process: (raw) => this.process(raw),
      run: () => router.run,
      setRun: (run) => void (router.run = run),
      lineNo: () => router.lineNo,
      idle: () => router.containers.idle(),
      advance: (d) => {
        router.lineNo += d.lines;
        router.fragments += d.fragments;
        this.chars += d.chars;
        this.work.n += d.work;
        const f = this.facts;
        f.crlf ||= d.facts.crlf;
        f.indented ||= d.facts.indented;
        f.quoted ||= d.facts.quoted;
        f.timestamps ||= d.facts.timestamps;
        f.lineNumbers ||= d.facts.lineNumbers;
      },
      shadow: (run, lineNo) => {
        const sh = new LogParser({ replay: false });
        sh.lava = this.lava;
        sh.router.run = run;
        sh.router.lineNo = lineNo;
        return {
          process: (raw) => sh.process(raw),
          run: () => sh.router.run,
          clean: () => sh.router.containers.idle() && sh.record.untouched(),
          delta: () => ({ lines: sh.router.lineNo - lineNo, chars: sh.chars, work: sh.work.n, fragments: sh.router.fragments, facts: { ...sh.facts } }),
        };
      },
    };
  }

  /** One physical line the normal way. */
  private process(raw: string): void {
    const lineNo = ++this.router.lineNo;
    this.chars += raw.length + 1;
    this.work.n++;
    if (this.lava) {
      const c = raw.charCodeAt(0);
      if (c >= 0xdc00 && c <= 0xdfff) {
        if (raw.startsWith(LAVA_BAD)) this.record.issue(lineNo, 'lava-record', raw.slice(LAVA_BAD.length));
        return;
      }
    }
    let line = raw;
    if (line.length > MAX_LINE_CHARS) {
      this.record.issue(
        lineNo,
        'overlong-line',
        `line of ${line.length}+ chars; only the first ${MAX_LINE_CHARS} parsed`,
      );
      line = line.slice(0, MAX_LINE_CHARS);
    }
    // A lone CR inside a line (serial consoles, progress output) separates logical lines.
    if (line.indexOf('\r') < 0 || TRAILING_CRS.test(line)) this.piece(line);
    else for (const piece of line.split(/\r+/)) this.piece(piece);
  }

  private piece(text: string): void {
    const lv = countLevelsInto(stripTransport(text, this.facts, this.work), this.work, this.leveled);
    splitGlued(lv, this.work, this.emit);
  }

  /** Close the last run and return the result. Further push() calls are ignored. */
  finish(): ParsedLog {
    if (this.done) return this.done;
    this.replayer?.finish();
    this.router.finish();
    this.done = this.record.finish(this.facts, {
      lines: this.router.lineNo,
      fragments: this.router.fragments,
      work: this.work.n,
      chars: this.chars,
    });
    return this.done;
  }
}
