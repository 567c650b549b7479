/**
 * One sub-test as observed: a result line (with the [RUN] line and diagnostics before it), or
 * a [RUN] line that never got a result ('missing'). Also where the TAP numbering is checked
 * (kunit_parser's "Expected test number X but found Y": an issue, parsing goes on).
 */
import { PLUGINS } from '../../cases/selftests/index.js';
import { detach } from './lines.js';
import type { ResultLine } from './result-line.js';
import type { RunBuilder } from './run-builder.js';
import type { LineRef, ObservedSubtest } from './types.js';

/** A [RUN] line waiting for its result. */
export interface PendingRun {
  name: string;
  /** Its stable id, looked up once when the [RUN] line arrives. */
  id: string | null;
  /** The plug-in (index in PLUGINS) whose id scheme mapped it; -1 when none did. */
  owner: number;
  line: number;
  diagnostics: LineRef[];
  interleaved: LineRef[];
}

/** A name's stable id and the plug-in (index in PLUGINS) whose scheme it is; owner -1 for none. */
interface Named {
  id: string | null;
  owner: number;
}

const UNNAMED: Named = { id: null, owner: -1 };
/** The PMD size THP names without a size stand for, unless the run printed another. */
const DEFAULT_PMD_KIB = 2048;

/**
 * [RUN] names and result names repeat in every run of a CI log: the id lookup (each
 * plug-in's scheme, cases/selftests/<test>/ids.ts) is remembered per name. Bounded: cleared
 * when full. A PMD size other than the default is part of the key (it names unsized THPs).
 */
const ID_MEMO = new Map<string, Named>();
const ID_MEMO_LIMIT = 4096;

function lookUp(name: string, pmdKiB: number): Named {
  for (let i = 0; i < PLUGINS.length; i++) {
    const id = PLUGINS[i]!.ids.fromRunName(name, pmdKiB);
    if (id !== undefined) return { id, owner: i };
  }
  return UNNAMED;
}

export function runNameId(name: string, pmdKiB = DEFAULT_PMD_KIB): Named {
  const key = pmdKiB === DEFAULT_PMD_KIB ? name : `${pmdKiB}\u0000${name}`;
  let n = ID_MEMO.get(key);
  if (n !== undefined) return n;
  n = lookUp(name, pmdKiB);
  if (ID_MEMO.size >= ID_MEMO_LIMIT) ID_MEMO.clear();
  ID_MEMO.set(detach(key), n);
  return n;
}

/**
 * The k-th [RUN] name of a run is almost always the k-th name of one of the last few runs (CI
 * logs repeat a few programs): a string compare instead of hashing the name. Detached copies.
 */
const RECENT_LIMIT = 512;
const WAYS = 4;
const recentNames: (string | undefined)[] = [];
const recentIds: Named[] = [];
const nextWay: number[] = [];

/**
 * The id of the [RUN] name at `position` of its run, written to `out` with the name itself —
 * the remembered copy when the name repeats, so equal names are one string object.
 */
export function runNameIdAt(name: string, position: number, out: PendingRun, pmdKiB = DEFAULT_PMD_KIB): void {
  const recent = position < RECENT_LIMIT && pmdKiB === DEFAULT_PMD_KIB;
  if (recent) {
    const base = position * WAYS;
    for (let w = 0; w < WAYS; w++) {
      const t = recentNames[base + w];
      if (t === undefined) break;
      if (t === name) {
        const n = recentIds[base + w] ?? UNNAMED;
        out.name = t;
        out.id = n.id;
        out.owner = n.owner;
        return;
      }
    }
  }
  const n = runNameId(name, pmdKiB);
  const own = detach(name);
  out.id = n.id;
  out.owner = n.owner;
  out.name = own;
  if (!recent) return;
  const way = nextWay[position] ?? 0;
  nextWay[position] = (way + 1) % WAYS;
  recentNames[position * WAYS + way] = own;
  recentIds[position * WAYS + way] = n;
}

/**
 * A sub-test's diagnostics repeat too (`gup_test not available` under [RUN] k): the text of
 * diagnostic d of sub-test k is remembered per position (4 ways), and a repeat becomes the
 * remembered string, so equal texts are one object (run-key.ts compares them in O(1)).
 */
const DIAG_LIMIT = 4096;
const recentDiags: (string | undefined)[] = [];
const nextDiagWay: number[] = [];

export function internDiagnostic(text: string, subtest: number, index: number): string {
  if (index >= 4 || subtest >= DIAG_LIMIT / 4) return detach(text);
  const pos = subtest * 4 + index;
  const base = pos * WAYS;
  for (let w = 0; w < WAYS; w++) {
    const t = recentDiags[base + w];
    if (t === undefined) break;
    if (t === text) return t;
  }
  const own = detach(text);
  const way = nextDiagWay[pos] ?? 0;
  nextDiagWay[pos] = (way + 1) % WAYS;
  recentDiags[base + way] = own;
  return own;
}

function checkNumber(b: RunBuilder, n: number, line: number): void {
  const expected = b.lastNumber === null ? null : b.lastNumber + 1;
  if (expected !== null && n !== expected) {
    b.issue('unexpected-number', line, `Expected test number ${expected} but found ${n}`);
  } else if (expected === null && n !== 1 && (b.plan !== null || b.tapVersion !== null)) {
    b.issue('unexpected-number', line, `Expected test number 1 but found ${n}`);
  }
  b.lastNumber = n;
  if (b.plan !== null && n > b.plan.count) {
    b.issue('result-after-plan-end', line, `result ${n} beyond plan 1..${b.plan.count}`);
  }
}

/** The sub-test a result line completes; takes the pending [RUN] (or loose diagnostics). */
export function observedSubtest(
  b: RunBuilder,
  r: Readonly<ResultLine>,
  text: string,
  line: number,
): ObservedSubtest {
  const p = b.pending;
  b.pending = null;
  checkNumber(b, r.number, line);
  const diagnostics = p ? p.diagnostics : b.loose;
  if (!p) b.loose = [];
  // Result texts that name a test count only while nothing stronger names the run's.
  if (b.program === null && b.mappedRunNames === 0) b.noteResultText(r.description, r.directive?.text ?? '');
  const runName = p?.name ?? null;
  const nameLike = r.description !== '' ? r.description : (r.directive?.text ?? '');
  let id: string | null = null;
  let idSource: ObservedSubtest['idSource'] = null;
  if (p) {
    id = p.id;
    if (id !== null) idSource = 'run-line';
  } else {
    const n = runNameId(nameLike, b.pmdKiB());
    id = n.id;
    if (id !== null) {
      idSource = 'result-name';
      b.textEvidence[n.owner] = true;
    }
  }
  const isName = runName !== null ? nameLike === runName : idSource === 'result-name';
  const lastDiag = diagnostics.length > 0 ? diagnostics[diagnostics.length - 1] : undefined;
  const reason =
    !isName && r.directive !== null && r.directive.text !== ''
      ? r.directive.text
      : !isName && r.description !== ''
        ? r.description
        : (lastDiag?.text ?? null);
  return {
    id,
    idSource,
    ordinal: 0,
    number: r.number,
    runName,
    runLine: p?.line ?? null,
    resultText: text,
    line,
    description: r.description === '' ? null : r.description,
    // Each sub-test its own directive object (r may be shared by every repeat of the line).
    directive: r.directive === null ? null : { kind: r.directive.kind, text: r.directive.text },
    reason,
    verdict: r.verdict,
    repeatOf: null,
    diagnostics,
    interleaved: p?.interleaved ?? [],
  };
}

/** A [RUN] line whose result never came (the run stopped, or the v6.16 unknown-fs bug). */
export function missingSubtest(p: PendingRun): ObservedSubtest {
  const lastDiag = p.diagnostics.length > 0 ? p.diagnostics[p.diagnostics.length - 1] : undefined;
  return {
    id: p.id,
    idSource: p.id === null ? null : 'run-line',
    ordinal: 0,
    number: null,
    runName: p.name,
    runLine: p.line,
    resultText: null,
    line: p.line,
    description: null,
    directive: null,
    reason: lastDiag?.text ?? null,
    verdict: 'missing',
    repeatOf: null,
    diagnostics: p.diagnostics,
    interleaved: p.interleaved,
  };
}
