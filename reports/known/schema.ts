/**
 * A known-issues file (format version 1), checked whole before anything is applied: every
 * mistake is one `FILE:LINE: …` line, and a file with any mistake is not used at all.
 *
 *   version: 1
 *   issues:
 *     - id: arm64-fvp-hugetlb-gup-fast          # the lab's id (KCIDB issue <origin>:known.<id>)
 *       test: "ro/gup-fast/**"               # globs over stable ids; and/or name: over test names
 *       kernel: ">=6.12 <6.15"                  # or a list: ["6.12", "next"]
 *       machine: "fvp-*"                        # globs over machine labels
 *       arch: arm64                             # or a list
 *       classes: [kernel-regression, unexplained]   # default: every class but match and conflict
 *       verdicts: [fail]                        # default: [fail, error]
 *       reason: "GUP-fast on hugetlb memfd fails on FVP"
 *       link: https://lore.kernel.org/…
 *       culprit: code                           # code (default), tool or harness
 *       expires: 2026-06-30                     # optional: not applied from that day on
 *       revision: 2                             # optional: the KCIDB issue version (default 1)
 */
import { TRIAGE_PRIORITY, type TriageClass } from '../diff/types.js';
import { compileGlob, type Glob, type GlobKind } from './glob.js';
import { parseKernelRange, type KernelRange } from './kernel-range.js';
import type { KnownCulprit, KnownIssue, KnownIssues, KnownVerdict } from './types.js';
import { readYaml, type YamlEntry, type YamlError, type YamlNode } from './yaml.js';

export const KNOWN_FORMAT_VERSION = 1;

const ENTRY_KEYS = [
  'id',
  'test',
  'name',
  'kernel',
  'machine',
  'arch',
  'classes',
  'verdicts',
  'reason',
  'link',
  'culprit',
  'expires',
  'revision',
] as const;

const VERDICTS: readonly KnownVerdict[] = [
  'pass',
  'fail',
  'skip',
  'xfail',
  'xpass',
  'error',
  'missing',
  'absent',
];
/** An entry accepts failures: a match is nothing to accept, and `known` is what it makes. */
const COVERABLE = TRIAGE_PRIORITY.filter((c) => c !== 'match' && c !== 'known');
/**
 * Without `classes:`, every class of a failure — but not a conflict: two results for one
 * sub-test say the log cannot be trusted, whatever the lab knows of the test (list `conflict`
 * to accept that too).
 */
const DEFAULT_CLASSES = COVERABLE.filter((c) => c !== 'conflict');
const CULPRITS: readonly KnownCulprit[] = ['code', 'tool', 'harness'];
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ARCH = /^[a-z][a-z0-9_]*$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

class Checker {
  readonly errors: YamlError[] = [];

  err(line: number, message: string): undefined {
    this.errors.push({ line, message });
    return undefined;
  }

  text(n: YamlNode, what: string): string | undefined {
    if (n.kind !== 'scalar')
      return this.err(
        n.line,
        `${what}: expected a single value, got a ${n.kind === 'seq' ? 'list' : 'mapping'}`,
      );
    if (n.value === '' && !n.quoted) return this.err(n.line, `${what}: no value`);
    return n.value;
  }

  /** One value or a list of them. */
  list(n: YamlNode, what: string): string[] | undefined {
    if (n.kind === 'map')
      return this.err(n.line, `${what}: expected a value or a list, got a mapping`);
    const items = n.kind === 'seq' ? n.items : [n];
    if (items.length === 0)
      return this.err(n.line, `${what}: an empty list (leave the key out to mean every one)`);
    const out: string[] = [];
    for (const i of items) {
      const v = this.text(i, what);
      if (v === undefined) return undefined;
      if (v === '') return this.err(i.line, `${what}: an empty value`);
      out.push(v);
    }
    return out;
  }

  globs(n: YamlNode, what: string, kind: GlobKind): Glob[] | undefined {
    const items = this.list(n, what);
    if (!items) return undefined;
    const out: Glob[] = [];
    for (const p of items) {
      const g = compileGlob(p, kind);
      if ('error' in g) return this.err(n.line, `${what}: ${g.error}`);
      out.push(g);
    }
    return out;
  }

  oneOf<T extends string>(n: YamlNode, what: string, allowed: readonly T[]): T[] | undefined {
    const items = this.list(n, what);
    if (!items) return undefined;
    for (const v of items) {
      if (!(allowed as readonly string[]).includes(v))
        return this.err(n.line, `${what}: unknown "${v}" (known: ${allowed.join(', ')})`);
    }
    return items as T[];
  }

  integer(n: YamlNode, what: string, min: number): number | undefined {
    const v = this.text(n, what);
    if (v === undefined) return undefined;
    if (n.kind === 'scalar' && n.quoted)
      return this.err(n.line, `${what}: a number, unquoted (got "${v}")`);
    if (!/^\d{1,9}$/.test(v) || Number(v) < min)
      return this.err(n.line, `${what}: expected a whole number ≥ ${min}, got "${v}"`);
    return Number(v);
  }

  kernels(n: YamlNode): KernelRange[] | undefined {
    const items = n.kind === 'seq' ? n.items : [n];
    const out: KernelRange[] = [];
    const values = this.list(n, 'kernel');
    if (!values) return undefined;
    for (let i = 0; i < values.length; i++) {
      const node = items[i]!;
      // `6.10` unquoted is the number 6.1 to every other YAML reader: the file must say the same to all.
      if (node.kind === 'scalar' && !node.quoted && /^\d+\.\d+$/.test(node.value)) {
        return this.err(
          node.line,
          `kernel: ${node.value} unquoted is the number ${Number(node.value)} in YAML; quote it ("${node.value}")`,
        );
      }
      const r = parseKernelRange(values[i]!);
      if ('error' in r) return this.err(node.line, `kernel: ${r.error}`);
      out.push(r);
    }
    return out;
  }

  date(n: YamlNode): string | undefined {
    const v = this.text(n, 'expires');
    if (v === undefined) return undefined;
    const m = DATE.exec(v);
    const d = m ? new Date(`${v}T00:00:00Z`) : null;
    if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
      return this.err(n.line, `expires: expected a date YYYY-MM-DD, got "${v}"`);
    }
    return v;
  }

  link(n: YamlNode): string | undefined {
    const v = this.text(n, 'link');
    if (v === undefined) return undefined;
    let ok = false;
    try {
      const u = new URL(v);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
    } catch {
      ok = false;
    }
    return ok ? v : this.err(n.line, `link: expected an http(s) URL, got "${v}"`);
  }

  entry(node: YamlNode, ids: Map<string, number>): KnownIssue | undefined {
    if (node.kind !== 'map')
      return this.err(node.line, 'an issue must be a mapping (id:, test:, reason:, link:, …)');
    const before = this.errors.length;
    const field = new Map<string, YamlEntry>();
    for (const e of node.entries) {
      if (!(ENTRY_KEYS as readonly string[]).includes(e.key))
        this.err(e.line, `unknown key "${e.key}" (known: ${ENTRY_KEYS.join(', ')})`);
      else field.set(e.key, e);
    }
    const get = (k: (typeof ENTRY_KEYS)[number]): YamlNode | undefined => field.get(k)?.value;
    const need = (k: 'id' | 'reason' | 'link'): YamlNode | undefined =>
      get(k) ?? this.err(node.line, `the issue has no ${k}:`);
    const idNode = need('id');
    const id = idNode && this.text(idNode, 'id');
    if (idNode && id !== undefined) {
      if (!ID.test(id))
        this.err(
          idNode.line,
          `id: "${id}" must be letters, digits, ".", "_" or "-" (and start with a letter or digit)`,
        );
      else if (ids.has(id))
        this.err(idNode.line, `id: "${id}" is already the id of the issue on line ${ids.get(id)}`);
      else ids.set(id, idNode.line);
    }
    const t = get('test');
    const nm = get('name');
    if (!t && !nm)
      this.err(node.line, 'the issue has neither test: (stable ids) nor name: (test names)');
    const tests = t ? this.globs(t, 'test', 'path') : [];
    const names = nm ? this.globs(nm, 'name', 'text') : [];
    const k = get('kernel');
    const kernels = k ? this.kernels(k) : [];
    const m = get('machine');
    const machines = m ? this.globs(m, 'machine', 'text') : [];
    const a = get('arch');
    const arches = a ? this.list(a, 'arch') : [];
    if (a && arches)
      for (const x of arches)
        if (!ARCH.test(x))
          this.err(a.line, `arch: "${x}" is not an architecture name (e.g. x86_64, arm64)`);
    const c = get('classes');
    const classes: TriageClass[] | undefined = c ? this.oneOf(c, 'classes', COVERABLE) : DEFAULT_CLASSES;
    const v = get('verdicts');
    const verdicts: KnownVerdict[] | undefined = v
      ? this.oneOf(v, 'verdicts', VERDICTS)
      : ['fail', 'error'];
    const reasonNode = need('reason');
    const reason = reasonNode && this.text(reasonNode, 'reason');
    const linkNode = need('link');
    const link = linkNode && this.link(linkNode);
    const cu = get('culprit');
    const culprit = cu ? this.oneOf(cu, 'culprit', CULPRITS) : ['code' as const];
    if (cu && culprit && culprit.length !== 1)
      this.err(cu.line, 'culprit: one of code, tool, harness');
    const ex = get('expires');
    const expires = ex ? this.date(ex) : null;
    const rv = get('revision');
    const revision = rv ? this.integer(rv, 'revision', 1) : 1;
    if (this.errors.length > before) return undefined;
    return {
      id: id!,
      line: node.line,
      tests: tests!,
      names: names!,
      kernels: kernels!,
      machines: machines!,
      arches: arches!,
      classes: new Set(classes!),
      verdicts: new Set(verdicts!),
      reason: reason!,
      link: link!,
      culprit: culprit![0]!,
      expires: expires ?? null,
      revision: revision!,
    };
  }
}

export type KnownParse = { ok: true; known: KnownIssues } | { ok: false; errors: string[] };

/** Read and check a known-issues file's text; `file` names it in the error lines. */
export function parseKnownIssues(text: string, file: string): KnownParse {
  const { root, errors: syntax } = readYaml(text);
  const c = new Checker();
  c.errors.push(...syntax);
  const issues: KnownIssue[] = [];
  if (root.kind !== 'map') c.err(root.line, 'expected a mapping with version: and issues:');
  else {
    const top = new Map(root.entries.map((e) => [e.key, e]));
    for (const e of root.entries)
      if (e.key !== 'version' && e.key !== 'issues')
        c.err(e.line, `unknown key "${e.key}" (known: version, issues)`);
    const v = top.get('version');
    if (!v) c.err(1, `no version: (this gupsim reads version ${KNOWN_FORMAT_VERSION})`);
    else {
      const n = c.integer(v.value, 'version', 1);
      if (n !== undefined && n !== KNOWN_FORMAT_VERSION)
        c.err(v.line, `version: ${n} is not a format this gupsim reads (${KNOWN_FORMAT_VERSION})`);
    }
    const list = top.get('issues');
    if (!list) c.err(1, 'no issues: (an empty file of issues is "issues: []")');
    else if (list.value.kind !== 'seq') {
      if (!(list.value.kind === 'scalar' && list.value.value === ''))
        c.err(list.line, 'issues: expected a list of issues');
      else c.err(list.line, 'issues: no issues listed (an empty list is "issues: []")');
    } else {
      const ids = new Map<string, number>();
      for (const item of list.value.items) {
        const e = c.entry(item, ids);
        if (e) issues.push(e);
      }
    }
  }
  if (c.errors.length > 0) {
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const e of [...c.errors].sort((a, b) => a.line - b.line)) {
      const l = `${file}:${e.line}: ${e.message}`;
      if (!seen.has(l)) lines.push(l);
      seen.add(l);
    }
    return { ok: false, errors: lines };
  }
  return { ok: true, known: { file, issues } };
}
