/**
 * The process's stdout stream as stdio buffers it. What reaches the log is what was flushed:
 * an exit() flushes everything, a fatal signal loses the unflushed tail. kselftest.h switches
 * stdout to line buffering since v6.6 (setvbuf(stdout, NULL, _IOLBF, 0)); before that a
 * stdout that is a pipe or file is fully buffered in BUFSIZ (4096-byte) blocks.
 *
 * A write only appends: how much has reached the file descriptor follows from the text and
 * the last explicit flush, so written() works it out when someone asks (after a crash), and
 * the common case (a clean exit, all() read) never searches the text at all.
 */
export class Stdout {
  private text = '';
  /** Length of the text at the last explicit fflush() (or mode switch, which flushes). */
  private lastFlush = 0;
  private lineBuffered = false;
  private readonly bufsiz = 4096;

  /**
   * The child's stdio after fork(): a copy of what is buffered and not yet written. Nothing
   * a child writes reaches this log (see Process.endChild()).
   */
  forkCopy(): Stdout {
    const c = new Stdout();
    c.lineBuffered = this.lineBuffered;
    return c;
  }

  setLineBuffered(): void {
    this.flush();
    this.lineBuffered = true;
  }

  write(s: string): void {
    this.text += s;
  }

  flush(): void {
    this.lastFlush = this.text.length;
  }

  /** Everything written (what a clean exit produces). */
  all(): string {
    return this.text;
  }

  /** What reached the file descriptor so far (what survives a crash). */
  written(): string {
    return this.text.slice(0, this.flushedLength());
  }

  /**
   * Line buffered: every write up to its last newline went out, so everything up to the last
   * newline written since the last flush. Fully buffered: each time the unflushed tail reached
   * BUFSIZ a block went out, so whole blocks counted from the last flush.
   */
  private flushedLength(): number {
    const since = this.text.length - this.lastFlush;
    if (this.lineBuffered) return Math.max(this.lastFlush, this.text.lastIndexOf('\n') + 1);
    return this.lastFlush + since - (since % this.bufsiz);
  }
}
