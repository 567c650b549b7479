/**
 * The process's stdout stream as stdio buffers it. What reaches the log is what was flushed:
 * an exit() flushes everything, a fatal signal loses the unflushed tail. kselftest.h switches
 * stdout to line buffering since v6.6 (setvbuf(stdout, NULL, _IOLBF, 0)); before that a
 * stdout that is a pipe or file is fully buffered in BUFSIZ (4096-byte) blocks.
 */
export class Stdout {
  private text = '';
  private flushed = 0;
  private mode: 'full' | 'line' = 'full';
  private readonly bufsiz = 4096;

  setLineBuffered(): void {
    this.flush();
    this.mode = 'line';
  }

  write(s: string): void {
    const start = this.text.length;
    this.text += s;
    if (this.mode === 'line') {
      // Search the new piece only: searching the whole text would flatten it on every write.
      const nl = s.lastIndexOf('\n');
      if (nl >= 0) this.flushed = start + nl + 1;
    } else {
      while (this.text.length - this.flushed >= this.bufsiz) this.flushed += this.bufsiz;
    }
  }

  flush(): void {
    this.flushed = this.text.length;
  }

  /** Everything written (what a clean exit produces). */
  all(): string {
    return this.text;
  }

  /** What reached the file descriptor so far (what survives a crash). */
  written(): string {
    return this.text.slice(0, this.flushed);
  }
}
