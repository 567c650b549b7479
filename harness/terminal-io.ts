/**
 * The CLI's streams as every command writes them: text that came from a log, an environment
 * file, a label or a file name is shown, never acted on (an OSC title, a clear-screen, a CR
 * overwrite, a bidi override), and a stream that cannot be written (a full disk) is bad luck
 * of the machine, one line and exit 2, never an internal error.
 *
 * Escaping here, at the one place all output passes, rather than where each field is
 * rendered: no command, error line or future field can forget it. JSON output stays JSON with
 * the same values (see visibleControls()); gupsim's own colours pass as sgr() tokens.
 */
import { terminalText } from '../reports/formats/escape.js';
import type { CliIO } from './io.js';

type Writer = CliIO['stdout'];

/**
 * stdout or stderr could not be written (ENOSPC, EIO, …): one line, exit 2. EPIPE (the reader
 * went away) ends the command quietly instead, as the process entries do for their streams.
 */
export class OutputError extends Error {
  constructor(
    message: string,
    readonly brokenPipe = false,
  ) {
    super(message);
  }
}

const HINTS: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'I/O error',
};

/** The one line for a failed write to `stream` (its errno code and what it means). */
export function outputErrorText(stream: 'stdout' | 'stderr', e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const what =
    code === undefined ? (e as Error).message : HINTS[code] ? `${code} (${HINTS[code]})` : code;
  return `cannot write ${stream}: ${what}`;
}

const RAW = Symbol('the stream under the escaping');

/**
 * An error line stays one line: every write to stderr is one message ending in a newline, so a
 * newline inside it (a file name's, an internal error's message) is shown as \n.
 */
function oneLine(s: string): string {
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  return `${terminalText(body).replace(/\n/g, '\\n')}${body === s ? '' : '\n'}`;
}

interface SafeWriter extends Writer {
  readonly [RAW]: Writer;
}

function safeWriter(raw: Writer, name: 'stdout' | 'stderr'): SafeWriter {
  // A stream's backpressure (diff paces its input by stdout) and isTTY are the raw stream's.
  const stream = raw as Writer & {
    isTTY?: boolean;
    writableNeedDrain?: boolean;
    once?: (e: string, f: () => void) => unknown;
  };
  return {
    [RAW]: raw,
    write(s: string): unknown {
      try {
        return raw.write(name === 'stderr' ? oneLine(s) : terminalText(s));
      } catch (e) {
        // The installed CLI writes stdout synchronously (bin/gupsim.js): its errors arrive here.
        throw new OutputError(
          outputErrorText(name, e),
          (e as NodeJS.ErrnoException).code === 'EPIPE',
        );
      }
    },
    get isTTY() {
      return stream.isTTY;
    },
    get writableNeedDrain() {
      return stream.writableNeedDrain;
    },
    once: stream.once ? (e: string, f: () => void) => stream.once?.(e, f) : undefined,
  } as SafeWriter;
}

/** `io` with its stdout and stderr escaped (made on first use: bin/gupsim.js opens stderr lazily). */
export function terminalSafe(io: CliIO): CliIO {
  let stdout: SafeWriter | undefined;
  let stderr: SafeWriter | undefined;
  return {
    get stdout() {
      return (stdout ??= safeWriter(io.stdout, 'stdout'));
    },
    get stderr() {
      return (stderr ??= safeWriter(io.stderr, 'stderr'));
    },
    get stdin() {
      return io.stdin;
    },
    get env() {
      return io.env;
    },
    get isTTY() {
      return io.isTTY;
    },
  };
}

/**
 * The stream as given, for what writes its own control sequences (the progress bar's cursor
 * moves on a terminal); what it writes from input must go through terminalText() itself.
 */
export function rawStream(w: Writer): Writer {
  return (w as Partial<SafeWriter>)[RAW] ?? w;
}
