/**
 * The YAML a known-issues file may use: a strict subset that every YAML reader reads the same
 * way (so the file can be linted, diffed and edited with the lab's own YAML tools), read
 * without a YAML library:
 *
 *  - block mappings (`key: value`, keys `[A-Za-z_][A-Za-z0-9_-]*`, each once) and block
 *    sequences (`- item`, also `- key: value` starting a mapping), indented with spaces;
 *  - scalars: plain (`rw/gup/*`), single-quoted (`'a ''b'''`), double-quoted with JSON's
 *    escapes and `\0`, each on one line;
 *  - flow sequences of scalars (`[arm64, x86_64]`), empty ones (`[]`);
 *  - comments (`#` at a line's start or after a space), blank lines, a leading `---`.
 *
 * Everything else — anchors and aliases, tags, flow mappings, block scalars (`|`, `>`),
 * multi-line scalars, tabs in indentation, several documents — is an error naming its line,
 * never a different reading. Scalars stay text (with whether they were quoted): the schema
 * (schema.ts) decides what a value must be, so `6.10` is never the number 6.1 here.
 */

export type YamlNode =
  | { kind: 'scalar'; value: string; quoted: boolean; line: number }
  | { kind: 'seq'; items: YamlNode[]; line: number }
  | { kind: 'map'; entries: YamlEntry[]; line: number };

export interface YamlEntry {
  key: string;
  line: number;
  value: YamlNode;
}

export interface YamlError {
  line: number;
  message: string;
}

interface Line {
  /** 1-based line number in the file. */
  no: number;
  indent: number;
  /** The line without its indentation (comments still in: quotes decide where they start). */
  text: string;
}

class Syntax extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*)\s*:(?:\s+|$)/;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  n: '\n',
  t: '\t',
  b: '\b',
  f: '\f',
  r: '\r',
  '0': '\0',
};

/** The lines that carry content; blank lines and whole-line comments are dropped. */
function contentLines(text: string, errors: YamlError[]): Line[] {
  const out: Line[] = [];
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  raw.forEach((l, i) => {
    const no = i + 1;
    const m = /^([ \t]*)(.*)$/.exec(l)!;
    const lead = m[1]!;
    const rest = m[2]!;
    if (rest === '' || rest.startsWith('#')) return;
    if (lead.includes('\t')) {
      errors.push({ line: no, message: 'a tab in the indentation (YAML indents with spaces)' });
      return;
    }
    if (rest === '---' && out.length === 0) return;
    if (rest === '---' || rest === '...' || rest.startsWith('--- ') || rest.startsWith('%')) {
      errors.push({ line: no, message: `"${rest}": one YAML document only, no directives` });
      return;
    }
    out.push({ no, indent: lead.length, text: rest });
  });
  return out;
}

/** The text after a scalar or flow sequence must be nothing or a comment. */
function trailing(rest: string, line: number): void {
  const t = rest.trimStart();
  if (t !== '' && !(t.startsWith('#') && (rest.length > t.length || rest === ''))) {
    throw new Syntax(line, `unexpected "${t}" after the value`);
  }
}

function doubleQuoted(s: string, line: number): { value: string; end: number } {
  let out = '';
  let i = 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') return { value: out, end: i + 1 };
    if (c === '\\') {
      const e = s[i + 1];
      if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(s.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(s.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        i += 2;
        continue;
      }
      throw new Syntax(line, `unknown escape "\\${e ?? ''}" in a double-quoted string`);
    }
    out += c;
    i++;
  }
  throw new Syntax(
    line,
    'a double-quoted string does not end on its line (multi-line strings are not supported)',
  );
}

function singleQuoted(s: string, line: number): { value: string; end: number } {
  let out = '';
  let i = 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'") {
      if (s[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      return { value: out, end: i + 1 };
    }
    out += c;
    i++;
  }
  throw new Syntax(
    line,
    'a single-quoted string does not end on its line (multi-line strings are not supported)',
  );
}

const UNSUPPORTED: Record<string, string> = {
  '{': 'flow mappings ({…}) are not supported: write the mapping as indented lines',
  '&': 'anchors (&) are not supported',
  '*': 'aliases (*) are not supported',
  '!': 'tags (!) are not supported',
  '|': 'block scalars (|) are not supported: write the text on one line',
  '>': 'a value starting with ">" reads as a block scalar in YAML: quote it (kernel: ">=6.1 <6.10")',
  '@': '"@" cannot start a plain value: quote it',
  '`': '"`" cannot start a plain value: quote it',
};

/** A plain scalar: up to a comment; `: ` inside would read as a mapping elsewhere. */
function plain(s: string, line: number, inFlow: boolean): { value: string; end: number } {
  let end = s.length;
  const hash = s.search(/\s#/);
  if (hash >= 0) end = hash;
  if (inFlow) {
    const stop = s.slice(0, end).search(/[,\]]/);
    if (stop >= 0) end = stop;
  }
  const value = s.slice(0, end).trimEnd();
  if (/:(\s|$)/.test(value)) throw new Syntax(line, `"${value}": quote a value that holds ": "`);
  if (!inFlow && /[[\]{}]/.test(value[0] ?? '')) throw new Syntax(line, `"${value}": quote it`);
  return { value, end };
}

function scalar(s: string, line: number, inFlow: boolean): { node: YamlNode; end: number } {
  const c = s[0] ?? '';
  if (c in UNSUPPORTED) throw new Syntax(line, UNSUPPORTED[c]!);
  if (c === '"' || c === "'") {
    const q = c === '"' ? doubleQuoted(s, line) : singleQuoted(s, line);
    return { node: { kind: 'scalar', value: q.value, quoted: true, line }, end: q.end };
  }
  const p = plain(s, line, inFlow);
  return { node: { kind: 'scalar', value: p.value, quoted: false, line }, end: p.end };
}

/** `[a, "b", c]`: scalars only. */
function flowSeq(s: string, line: number): YamlNode {
  const items: YamlNode[] = [];
  let i = 1;
  const ws = (): void => {
    while (s[i] === ' ') i++;
  };
  ws();
  if (s[i] === ']') {
    trailing(s.slice(i + 1), line);
    return { kind: 'seq', items, line };
  }
  for (;;) {
    ws();
    if (s[i] === '[') throw new Syntax(line, 'nested sequences are not supported');
    const { node, end } = scalar(s.slice(i), line, true);
    if (node.kind === 'scalar' && !node.quoted && node.value === '')
      throw new Syntax(line, 'an empty item in a sequence');
    items.push(node);
    i += end;
    ws();
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === ']') {
      trailing(s.slice(i + 1), line);
      return { kind: 'seq', items, line };
    }
    throw new Syntax(line, 'a sequence [ … ] does not end on its line');
  }
}

/** A value written on the line of its key or dash. */
function inline(s: string, line: number): YamlNode {
  if (s.startsWith('[')) return flowSeq(s, line);
  const { node, end } = scalar(s, line, false);
  trailing(s.slice(end), line);
  return node;
}

class Parser {
  i = 0;
  constructor(
    private readonly lines: Line[],
    readonly errors: YamlError[],
  ) {}

  peek(): Line | undefined {
    return this.lines[this.i];
  }

  /** The block that starts at the current line, whose lines are indented exactly `indent`. */
  block(indent: number): YamlNode {
    const l = this.peek()!;
    return isItem(l.text) ? this.seq(indent) : this.map(indent);
  }

  /** A value after `key:` or `-` with nothing on its line: the more-indented block below. */
  child(parentIndent: number, parentLine: number, allowSameIndentSeq: boolean): YamlNode {
    const next = this.peek();
    if (next && next.indent > parentIndent) return this.block(next.indent);
    // `key:` then `- item` at the key's own indentation (the compact form YAML allows).
    if (allowSameIndentSeq && next && next.indent === parentIndent && isItem(next.text))
      return this.seq(parentIndent);
    return { kind: 'scalar', value: '', quoted: false, line: parentLine };
  }

  map(indent: number): YamlNode {
    const first = this.peek()!;
    const node: YamlNode & { kind: 'map' } = { kind: 'map', entries: [], line: first.no };
    const seen = new Set<string>();
    while (this.peek() && this.peek()!.indent === indent && !isItem(this.peek()!.text)) {
      const l = this.peek()!;
      this.i++;
      try {
        const m = KEY.exec(l.text);
        if (!m) {
          throw new Syntax(
            l.no,
            /^["']/.test(l.text)
              ? 'keys are written unquoted'
              : `expected "key: value", got "${l.text}"`,
          );
        }
        const key = m[1]!;
        if (seen.has(key)) throw new Syntax(l.no, `"${key}" is given twice`);
        seen.add(key);
        const rest = l.text.slice(m[0].length);
        const value =
          rest === '' || rest.startsWith('#') ? this.child(indent, l.no, true) : inline(rest, l.no);
        node.entries.push({ key, line: l.no, value });
      } catch (e) {
        this.recover(e, indent);
      }
    }
    this.misindented(indent);
    return node;
  }

  seq(indent: number): YamlNode {
    const first = this.peek()!;
    const node: YamlNode & { kind: 'seq' } = { kind: 'seq', items: [], line: first.no };
    while (this.peek() && this.peek()!.indent === indent && isItem(this.peek()!.text)) {
      const l = this.peek()!;
      try {
        const after = l.text.slice(1);
        const pad = after.length - after.trimStart().length;
        const rest = after.trimStart();
        if (rest === '' || rest.startsWith('#')) {
          this.i++;
          node.items.push(this.child(indent, l.no, false));
        } else if (KEY.test(rest)) {
          // `- key: value`: a mapping whose lines are indented to where `key` starts.
          this.lines[this.i] = { no: l.no, indent: indent + 1 + pad, text: rest };
          node.items.push(this.map(indent + 1 + pad));
        } else {
          this.i++;
          node.items.push(inline(rest, l.no));
        }
      } catch (e) {
        this.recover(e, indent);
      }
    }
    this.misindented(indent);
    return node;
  }

  /** A line indented deeper than the block it follows, but not under a key that opens one. */
  private misindented(indent: number): void {
    const l = this.peek();
    if (l && l.indent > indent) {
      this.errors.push({
        line: l.no,
        message:
          'indented deeper than the lines above, but not under a "key:" or "-" that opens a block',
      });
      this.skipDeeper(indent);
    }
  }

  private skipDeeper(indent: number): void {
    while (this.peek() && this.peek()!.indent > indent) this.i++;
  }

  /** Record a syntax error and skip what belongs to the bad line, so later mistakes are found too. */
  private recover(e: unknown, indent: number): void {
    if (!(e instanceof Syntax)) throw e;
    this.errors.push({ line: e.line, message: e.message });
    this.skipDeeper(indent);
  }
}

function isItem(text: string): boolean {
  return text === '-' || text.startsWith('- ') || text.startsWith('-\t');
}

/** Read a document of the supported subset; an empty document is an empty mapping. */
export function readYaml(text: string): { root: YamlNode; errors: YamlError[] } {
  const errors: YamlError[] = [];
  const lines = contentLines(text, errors);
  if (lines.length === 0) return { root: { kind: 'map', entries: [], line: 1 }, errors };
  const p = new Parser(lines, errors);
  const indent = lines[0]!.indent;
  const root = p.block(indent);
  while (p.peek()) {
    const l = p.peek()!;
    errors.push({
      line: l.no,
      message: l.indent < indent ? 'indented less than the first line' : 'a second top-level block',
    });
    p.i++;
    while (p.peek() && p.peek()!.indent > l.indent) p.i++;
  }
  errors.sort((a, b) => a.line - b.line);
  return { root, errors };
}
