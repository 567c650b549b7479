/**
 * LAVA job logs (`log.yaml`, as KernelCI and LKFT keep them): a YAML list with one record per
 * line, `- {"dt": "…", "lvl": "target", "msg": "…"}`, written by lava_common/log.py's dump():
 * PyYAML flow style, every scalar double-quoted (default_style='"'), keys sorted, one line per
 * record (width 10**5; a longer record is replaced by "<line way too long ...>"). `lvl: target`
 * records hold the device's console, one line each; the others are the dispatcher's (info,
 * debug, results with a dict `msg`, feedback with an `ns`, …).
 *
 * So no YAML library: a small, strict reader of that one-line record shape — flow mappings and
 * sequences, double- and single-quoted scalars, tagged scalars (`!!int "3"`, what PyYAML
 * writes for a non-string under default_style) and plain scalars. It never throws; anything
 * else is an error as data, with the column where reading stopped.
 */

export type YamlValue = string | YamlValue[] | { [k: string]: YamlValue };

export interface LavaRecord {
  lvl: string;
  msg: YamlValue;
}

/** Nesting a record may have (a results `msg` is two levels deep). */
const MAX_DEPTH = 32;

/** YAML's one-character double-quoted escapes (the YAML 1.1 spec, which PyYAML writes). */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

class Reader {
  i = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new LavaSyntax(`${what} at column ${this.i + 1}`);
  }

  ws(): void {
    while (this.s.charCodeAt(this.i) === 32 || this.s.charCodeAt(this.i) === 9) this.i++;
  }

  eat(c: string): void {
    if (this.s[this.i] !== c) this.fail(`expected "${c}"`);
    this.i++;
  }

  value(depth: number): YamlValue {
    if (depth > MAX_DEPTH) this.fail('nested too deep');
    const c = this.s[this.i];
    if (c === '{') return this.mapping(depth);
    if (c === '[') return this.sequence(depth);
    if (c === '!') {
      // A tag (`!!int`, `!!float`, `!!bool`, `!!null`): the scalar after it, as text.
      while (this.i < this.s.length && this.s[this.i] !== ' ') this.i++;
      this.ws();
      const v = this.value(depth + 1);
      if (typeof v !== 'string') this.fail('a tag before a collection');
      return v;
    }
    return this.scalar();
  }

  scalar(): string {
    const c = this.s[this.i];
    if (c === '"') return this.doubleQuoted();
    if (c === "'") return this.singleQuoted();
    return this.plain();
  }

  /** A plain scalar in flow context: up to `,` `]` `}` or `: `; no indicator may start it. */
  plain(): string {
    const start = this.i;
    const c = this.s[start] ?? '';
    // `-`, `?` and `:` start a plain scalar when a non-space follows (`-1`); the other indicators never.
    const indicator = /[-?:]/.test(c)
      ? /[\s,[\]{}]/.test(this.s[start + 1] ?? ' ')
      : /[,[\]{}#&*!|>'"%@`\s]/.test(c);
    if (c === '' || indicator) this.fail('expected a value');
    while (this.i < this.s.length) {
      const ch = this.s[this.i]!;
      if (ch === ',' || ch === ']' || ch === '}') break;
      if (ch === ':' && /[\s,\]}]/.test(this.s[this.i + 1] ?? ' ')) break;
      if (ch === '#' && this.s[this.i - 1] === ' ') break;
      this.i++;
    }
    return this.s.slice(start, this.i).trimEnd();
  }

  singleQuoted(): string {
    this.i++;
    let out = '';
    for (;;) {
      const q = this.s.indexOf("'", this.i);
      if (q < 0) this.fail('unterminated single-quoted scalar');
      out += this.s.slice(this.i, q);
      this.i = q + 1;
      if (this.s[this.i] !== "'") return out;
      out += "'";
      this.i++;
    }
  }

  doubleQuoted(): string {
    this.i++;
    let out = '';
    for (;;) {
      let j = this.i;
      // The run up to the next quote or backslash, copied at once (most text has neither).
      while (j < this.s.length && this.s.charCodeAt(j) !== 34 && this.s.charCodeAt(j) !== 92) j++;
      out += this.s.slice(this.i, j);
      this.i = j;
      if (j >= this.s.length) this.fail('unterminated double-quoted scalar');
      if (this.s.charCodeAt(j) === 34) {
        this.i++;
        return out;
      }
      const e = this.s[j + 1] ?? '';
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        this.i = j + 2;
        continue;
      }
      const n = HEX_DIGITS[e];
      const hex = n ? this.s.slice(j + 2, j + 2 + n) : '';
      if (!n || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) {
        this.i = j;
        this.fail(`bad escape "\\${e}"`);
      }
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) this.fail('escape beyond Unicode');
      out += String.fromCodePoint(cp);
      this.i = j + 2 + n;
    }
  }

  mapping(depth: number): { [k: string]: YamlValue } {
    this.eat('{');
    const out: { [k: string]: YamlValue } = Object.create(null) as { [k: string]: YamlValue };
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      const key = this.scalar();
      this.ws();
      this.eat(':');
      this.ws();
      out[key] = this.value(depth + 1);
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      this.eat(',');
    }
  }

  sequence(depth: number): YamlValue[] {
    this.eat('[');
    const out: YamlValue[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      this.eat(',');
    }
  }
}

class LavaSyntax extends Error {}

/**
 * The shape of nearly every record LAVA writes, read without the general reader: the fields in
 * dump()'s sorted order, a dt without escapes, then a msg string that ends the line.
 */
const USUAL = /^- \{"dt": "[^"\\]*", "lvl": "([a-z]+)", "msg": "/;

/** One line of a log.yaml as a record, or why it is not one. */
export function decodeLavaRecord(line: string): LavaRecord | { error: string } {
  const s = line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
  const m = USUAL.exec(s);
  // A msg with no quote or backslash before the closing `"}`: the text as it stands.
  if (
    m &&
    s.endsWith('"}') &&
    s.indexOf('"', m[0].length) === s.length - 2 &&
    s.indexOf('\\', m[0].length) < 0
  ) {
    return { lvl: m[1]!, msg: s.slice(m[0].length, -2) };
  }
  if (!s.startsWith('- {')) return { error: 'not a "- {…}" record line' };
  const r = new Reader(s);
  r.i = 2;
  let v: { [k: string]: YamlValue };
  try {
    v = r.mapping(0);
    r.ws();
    if (r.i !== s.length) r.fail('text after the record');
  } catch (e) {
    if (e instanceof LavaSyntax) return { error: e.message };
    throw e;
  }
  if (typeof v.dt !== 'string' || typeof v.lvl !== 'string' || v.msg === undefined)
    return { error: 'a record needs dt, lvl and msg' };
  return { lvl: v.lvl, msg: v.msg };
}

/** Whether a log's first line says it is a LAVA log.yaml (a whole record; a BOM allowed). */
export function isLavaLog(firstLine: string): boolean {
  const s = firstLine.charCodeAt(0) === 0xfeff ? firstLine.slice(1) : firstLine;
  return s.startsWith('- {') && !('error' in decodeLavaRecord(s));
}

/**
 * The console text a record holds: its `msg` for `lvl: target`, null for a record of another
 * level. Lines a record carries with it (an embedded newline) are separated by CR, which the
 * line parser splits on as it does a serial console's lone CRs; lone surrogates from a broken
 * `\u` escape become U+FFFD (the parser's record sentinels are lone surrogates, log-parser.ts).
 */
export function consoleText(rec: LavaRecord): string | null | { error: string } {
  if (rec.lvl !== 'target') return null;
  if (typeof rec.msg !== 'string') return { error: 'a target record whose msg is not text' };
  let text = rec.msg.replace(/[\r\n]+$/, '');
  if (text.includes('\n')) text = text.replace(/\r?\n/g, '\r');
  return /[\uD800-\uDFFF]/.test(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text;
}
