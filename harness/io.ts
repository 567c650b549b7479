/** What a CLI command may touch, so tests can run commands in-process. */
export interface CliIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal (colour, progress). */
  isTTY: boolean;
}

/** Exit codes every command shares. */
export const EXIT_OK = 0;
export const EXIT_ATTENTION = 1;
export const EXIT_USAGE = 2;
/** gupsim's own failure (a bug): "internal error", never for the user's input. */
export const EXIT_INTERNAL = 70;
/** The reader of stdout went away (EPIPE): 128 + SIGPIPE, what `yes | head` exits with. */
export const EXIT_BROKEN_PIPE = 141;

/** A bad-input error: printed as one line, exit 2. */
export class UsageError extends Error {}

/**
 * Several bad-input errors found at once (a known-issues file checked whole): one line each,
 * exit 2. `message` is the first, for callers that show one.
 */
export class UsageErrors extends UsageError {
  constructor(readonly lines: readonly string[]) {
    super(lines[0] ?? 'bad input');
  }
}

/** The lines a bad-input error prints (each prefixed by `gupsim CMD: `). */
export function usageLines(e: UsageError): readonly string[] {
  return e instanceof UsageErrors ? e.lines : [e.message];
}
