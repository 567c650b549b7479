/**
 * A small, strict XML reader and the JUnit XML structure rules (the shape of the common
 * junit-10.xsd / Ant schema that Jenkins, GitLab and others validate against), for
 * test/formats.test.ts. No dependency: well-formedness is checked by parsing here.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;

function decode(s: string, at: number): string {
  return s.replace(/&([^;]*);/g, (_m, ent: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (ent in named) return named[ent] ?? '';
    const num = /^#(x[0-9a-fA-F]+|\d+)$/.exec(ent);
    if (num?.[1]) return String.fromCodePoint(num[1].startsWith('x') ? parseInt(num[1].slice(1), 16) : Number(num[1]));
    throw new Error(`unknown entity &${ent}; near ${at}`);
  });
}

/** Parse a whole document; throws with a position on anything not well-formed. */
export function parseXml(doc: string): XmlElement {
  let i = 0;
  if (doc.startsWith('<?xml')) {
    const end = doc.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  const bad = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.exec(doc);
  if (bad) throw new Error(`control character U+${bad[0].charCodeAt(0).toString(16)} at ${bad.index}`);
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const text = lt < 0 ? doc.slice(i) : doc.slice(i, lt);
    const top = stack[stack.length - 1];
    if (top) top.text += decode(text, i);
    else if (text.trim() !== '') throw new Error(`text outside the root at ${i}`);
    if (lt < 0) break;
    i = lt;
    if (doc.startsWith('<!--', i)) {
      const e = doc.indexOf('-->', i);
      if (e < 0) throw new Error('unterminated comment');
      i = e + 3;
      continue;
    }
    if (doc.startsWith('<![CDATA[', i)) {
      const e = doc.indexOf(']]>', i);
      if (e < 0 || !top) throw new Error('bad CDATA');
      top.text += doc.slice(i + 9, e);
      i = e + 3;
      continue;
    }
    if (doc.startsWith('</', i)) {
      const m = NAME.exec(doc.slice(i + 2));
      const name = m?.[0] ?? '';
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> does not close <${open?.name ?? '(nothing)'}> at ${i}`);
      i += 2 + name.length;
      while (doc[i] === ' ' || doc[i] === '\n') i++;
      if (doc[i] !== '>') throw new Error(`bad end tag at ${i}`);
      i++;
      continue;
    }
    const m = NAME.exec(doc.slice(i + 1));
    if (!m) throw new Error(`bad tag at ${i}`);
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
    i += 1 + m[0].length;
    for (;;) {
      while (/\s/.test(doc[i] ?? '')) i++;
      if (doc.startsWith('/>', i) || doc[i] === '>') break;
      const a = /^([A-Za-z_][\w.:-]*)="([^"<]*)"/.exec(doc.slice(i));
      if (!a?.[1]) throw new Error(`bad attribute in <${el.name}> at ${i}`);
      if (a[1] in el.attrs) throw new Error(`duplicate attribute ${a[1]} at ${i}`);
      el.attrs[a[1]] = decode(a[2] ?? '', i);
      i += a[0].length;
    }
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else if (root) throw new Error('second root element');
    else root = el;
    if (doc.startsWith('/>', i)) i += 2;
    else {
      i++;
      stack.push(el);
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

const INT = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

function allowed(el: XmlElement, attrs: readonly string[], required: readonly string[], errors: string[], where: string): void {
  for (const a of Object.keys(el.attrs)) if (!attrs.includes(a)) errors.push(`${where}: attribute ${a} not in the schema`);
  for (const a of required) if (!(a in el.attrs)) errors.push(`${where}: missing required attribute ${a}`);
}

function int(el: XmlElement, a: string, errors: string[], where: string): number {
  const v = el.attrs[a];
  if (v === undefined) return 0;
  if (!INT.test(v)) errors.push(`${where}: ${a}="${v}" is not a non-negative integer`);
  return Number(v);
}

/** Errors against the JUnit structure (empty = valid). */
export function checkJunit(root: XmlElement): string[] {
  const errors: string[] = [];
  if (root.name !== 'testsuites') return [`root is <${root.name}>, expected <testsuites>`];
  allowed(root, ['name', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'time'], [], errors, 'testsuites');
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  root.children.forEach((suite, si) => {
    const w = `testsuite[${si}]`;
    if (suite.name !== 'testsuite') {
      errors.push(`${w}: <${suite.name}> not allowed in <testsuites>`);
      return;
    }
    allowed(suite, ['name', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'time', 'timestamp', 'hostname', 'id', 'package'], ['name', 'tests'], errors, w);
    const ts = suite.attrs.timestamp;
    if (ts !== undefined && !TIMESTAMP.test(ts)) errors.push(`${w}: timestamp "${ts}" not ISO8601 without zone`);
    if (suite.attrs.time !== undefined && !DECIMAL.test(suite.attrs.time)) errors.push(`${w}: time not decimal`);
    // Order: properties?, testcase*, system-out?, system-err?
    const order = ['properties', 'testcase', 'system-out', 'system-err'];
    let last = -1;
    const count = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    for (const c of suite.children) {
      const o = order.indexOf(c.name);
      if (o < 0) errors.push(`${w}: <${c.name}> not allowed`);
      else if (o < last || (o === last && c.name !== 'testcase')) errors.push(`${w}: <${c.name}> out of order or repeated`);
      last = Math.max(last, o);
      if (c.name === 'properties') {
        if (c.children.length === 0) errors.push(`${w}: <properties> needs at least one <property>`);
        for (const p of c.children) {
          if (p.name !== 'property') errors.push(`${w}: <${p.name}> in <properties>`);
          allowed(p, ['name', 'value'], ['name', 'value'], errors, `${w} property`);
        }
      }
      if (c.name === 'testcase') {
        const cw = `${w} testcase "${c.attrs.name ?? '?'}"`;
        count.tests++;
        allowed(c, ['name', 'classname', 'time', 'assertions', 'status'], ['name', 'classname'], errors, cw);
        if (c.attrs.time !== undefined && !DECIMAL.test(c.attrs.time)) errors.push(`${cw}: time not decimal`);
        const outcomes = c.children.filter((x) => ['skipped', 'error', 'failure'].includes(x.name));
        if (outcomes.length > 1) errors.push(`${cw}: more than one of skipped/error/failure`);
        for (const [xi, x] of c.children.entries()) {
          // <properties> first in a testcase: not in the Ant XSD, but what pytest writes and
          // Jenkins' junit plugin keeps (keepProperties); readers that do not know it skip it.
          if (x.name === 'properties') {
            if (xi !== 0) errors.push(`${cw}: <properties> must come first`);
            for (const p of x.children) {
              if (p.name !== 'property') errors.push(`${cw}: <${p.name}> in <properties>`);
              allowed(p, ['name', 'value'], ['name', 'value'], errors, `${cw} property`);
            }
            continue;
          }
          if (!['skipped', 'error', 'failure', 'system-out', 'system-err'].includes(x.name)) errors.push(`${cw}: <${x.name}> not allowed`);
          if (x.name === 'skipped') allowed(x, ['message'], [], errors, cw);
          if (x.name === 'error' || x.name === 'failure') allowed(x, ['message', 'type'], [], errors, cw);
          if (x.name === 'skipped') count.skipped++;
          if (x.name === 'error') count.errors++;
          if (x.name === 'failure') count.failures++;
        }
      }
    }
    for (const k of ['tests', 'failures', 'errors', 'skipped'] as const) {
      const said = int(suite, k, errors, w);
      if (suite.attrs[k] !== undefined && said !== count[k]) errors.push(`${w}: ${k}="${said}" but ${count[k]} found`);
      total[k] += count[k];
    }
  });
  for (const k of ['tests', 'failures', 'errors', 'skipped'] as const) {
    if (root.attrs[k] !== undefined && int(root, k, errors, 'testsuites') !== total[k]) errors.push(`testsuites: ${k} != sum of suites`);
  }
  return errors;
}
