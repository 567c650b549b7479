/**
 * The process's stdout stream as stdio buffers it. What reaches the log is what was flushed:
 * an exit() flushes everything, a fatal signal loses the unflushed tail. kselftest.h switches
 * stdout to line buffering since v6.6 (setvbuf(stdout, NULL, _IOLBF, 0)); before that a
 * stdout that is a pipe or file is fully buffered in BUFSIZ (4096-byte) blocks.
 *
 * A write only appends: how much has reached the file descriptor follows from the text and
 * the last explicit flush, so written() works it out when someone asks (after a crash), and
 * the common case (a clean exit, all() read) never searches the text at all.
 *
 * A fork()ed child gets a copy of the buffer and shares the descriptor: when it exit()s it
 * writes its copy — what the parent had not flushed yet — a second time, between the bytes
 * the parent had flushed by then and the rest. With a pipe and no setvbuf() that duplicates
 * output (cow.c before v6.6: "results duplicated 20-30x"). A child's own writes are taken to
 * stay in its buffer until it exits (the children modelled write nothing).
 */
export class Stdout {
  private text = '';
  /** Length of the text at the last explicit fflush() (or mode switch, which flushes). */
  private lastFlush = 0;
  private lineBuffered = false;
  private readonly bufsiz = 4096;
  /** Line buffered: the length of the text up to its last newline. */
  private lineEnd = 0;
  /** What exit()ing children wrote to the shared descriptor: after how much of this text, what. */
  private inserts: { at: number; data: string }[] | undefined;
  /** The stream this one was copied from at fork(). */
  private parent: Stdout | undefined;

  /** The child's stdio after fork(): a copy of what is buffered and not yet written. */
  forkCopy(): Stdout {
    const c = new Stdout();
    const at = this.flushedLength();
    // Nothing buffered (line buffering after a newline): no slice of the whole text.
    c.text = at === this.text.length ? '' : this.text.slice(at);
    c.lineBuffered = this.lineBuffered;
    c.parent = this;
    return c;
  }

  setLineBuffered(): void {
    this.flush();
    this.lineBuffered = true;
  }

  write(s: string): void {
    // The end of the last line, kept as the text grows: searching the text itself would
    // flatten the whole rope on every fork().
    if (this.lineBuffered) {
      const nl = s.lastIndexOf('\n');
      if (nl >= 0) this.lineEnd = this.text.length + nl + 1;
    }
    this.text += s;
  }

  flush(): void {
    this.lastFlush = this.text.length;
  }

  /** A fork()ed child's exit(): its buffer reaches the descriptor it shares with the parent now. */
  exitFlush(): void {
    const p = this.parent;
    if (!p || this.text === '') return;
    (p.inserts ??= []).push({ at: p.flushedLength(), data: this.text });
    this.text = '';
    this.lastFlush = 0;
    this.lineEnd = 0;
  }

  /** Everything written (what a clean exit produces). */
  all(): string {
    return this.inserts ? this.merged(this.text.length) : this.text;
  }

  /** What reached the file descriptor so far (what survives a crash). */
  written(): string {
    return this.merged(this.flushedLength());
  }

  /** The first `upto` bytes of the text with the children's writes where they went. */
  private merged(upto: number): string {
    const ins = this.inserts;
    if (!ins) return this.text.slice(0, upto);
    let out = '';
    let pos = 0;
    for (const { at, data } of ins) {
      if (at > upto) break;
      out += this.text.slice(pos, at) + data;
      pos = at;
    }
    return out + this.text.slice(pos, upto);
  }

  /**
   * Line buffered: every write up to its last newline went out, so everything up to the last
   * newline written since the last flush. Fully buffered: each time the unflushed tail reached
   * BUFSIZ a block went out, so whole blocks counted from the last flush.
   */
  private flushedLength(): number {
    const since = this.text.length - this.lastFlush;
    if (this.lineBuffered) return Math.max(this.lastFlush, this.lineEnd);
    return this.lastFlush + since - (since % this.bufsiz);
  }
}
