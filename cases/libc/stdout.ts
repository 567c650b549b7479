/**
 * The process's stdout stream as stdio buffers it. What reaches the log is what was written to
 * the file descriptor: an exit() flushes the buffer, a fatal signal loses it. kselftest.h
 * switches stdout to line buffering since v6.6 (setvbuf(stdout, NULL, _IOLBF, 0)); before that
 * a stdout that is a pipe or file is fully buffered in BUFSIZ (4096-byte) blocks.
 *
 * A fork()ed child gets a copy of the buffer and shares the descriptor: when it exit()s it
 * writes its copy — what the parent had not flushed yet — a second time. With a pipe and no
 * setvbuf() that duplicates output (cow.c before v6.6: "results duplicated 20-30x").
 */

/** The file descriptor: what every process sharing it wrote, in order. */
class Descriptor {
  data = '';
}

export class Stdout {
  private readonly fd: Descriptor;
  /** Written by the program but not yet to the descriptor. */
  private buf = '';
  private lineBuffered = false;
  private readonly bufsiz = 4096;

  constructor(fd?: Descriptor) {
    this.fd = fd ?? new Descriptor();
  }

  /** The child's stdio after fork(): the same descriptor, a copy of what is buffered. */
  forkCopy(): Stdout {
    const c = new Stdout(this.fd);
    c.buf = this.buf;
    c.lineBuffered = this.lineBuffered;
    return c;
  }

  setLineBuffered(): void {
    this.flush();
    this.lineBuffered = true;
  }

  write(s: string): void {
    if (this.lineBuffered) {
      // Everything up to the last newline goes out; the buffer keeps at most a partial line.
      const nl = s.lastIndexOf('\n');
      if (nl < 0) this.buf += s;
      else if (this.buf === '' && nl === s.length - 1) this.fd.data += s;
      else {
        this.fd.data += this.buf + s.slice(0, nl + 1);
        this.buf = s.slice(nl + 1);
      }
      return;
    }
    // Fully buffered: each time the buffer fills, a block goes out.
    this.buf += s;
    if (this.buf.length >= this.bufsiz) {
      const keep = this.buf.length % this.bufsiz;
      this.fd.data += this.buf.slice(0, this.buf.length - keep);
      this.buf = this.buf.slice(this.buf.length - keep);
    }
  }

  /** fflush(): the buffer goes to the descriptor. */
  flush(): void {
    if (this.buf === '') return;
    this.fd.data += this.buf;
    this.buf = '';
  }

  /** Everything written (what a clean exit produces: its flush writes the buffer). */
  all(): string {
    return this.fd.data + this.buf;
  }

  /** What reached the file descriptor so far (what survives a crash). */
  written(): string {
    return this.fd.data;
  }
}
