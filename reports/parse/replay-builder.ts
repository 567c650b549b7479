/**
 * The RunBuilder's own copy for the replay (replay-state.ts shiftedCopy()): what every replayed
 * run of a CI log pays once (the bench's 50 MB log: 7,700 copies). The generic copy walks each
 * object with a spread, a key loop and a set lookup per key, and was a fifth of a warm parse;
 * here each field the builder is known to hold is copied by code written for its type, and
 * only what is not (a field added later, state of an unexpected shape) goes through the
 * generic copy — so the result is the generic copy's, field for field.
 *
 * The small records are copied as typed object literals, like shiftedSubtest(): a required
 * field added to one of their types that is not copied here does not compile.
 */
import { EraCollector, PluginEras } from './eras.js';
import { CappedList } from './limits.js';
import { RunBuilder, type WrapperSource } from './run-builder.js';
import type { PendingRun } from './subtests.js';
import type {
  CrashMarker,
  Era,
  InfraFailure,
  LineRef,
  ObservedSubtest,
  ParseIssue,
  RunFacts,
  Totals,
  WrapperVerdict,
} from './types.js';

type Copy = (v: unknown, shift: number) => unknown;

export function shiftedRefs(refs: readonly LineRef[], shift: number): LineRef[] {
  const out: LineRef[] = new Array(refs.length);
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i]!;
    out[i] = { line: r.line + shift, text: r.text };
  }
  return out;
}

export function shiftedSubtest(s: ObservedSubtest, shift: number): ObservedSubtest {
  const d = s.directive;
  const out: ObservedSubtest = {
    id: s.id,
    idSource: s.idSource,
    ordinal: s.ordinal,
    number: s.number,
    runName: s.runName,
    runLine: s.runLine === null ? null : s.runLine + shift,
    resultText: s.resultText,
    line: s.line + shift,
    description: s.description,
    directive: d === null ? null : { kind: d.kind, text: d.text },
    reason: s.reason,
    verdict: s.verdict,
    repeatOf: s.repeatOf,
    diagnostics: shiftedRefs(s.diagnostics, shift),
    interleaved: shiftedRefs(s.interleaved, shift),
  };
  return out;
}

function subtests(list: readonly ObservedSubtest[], shift: number): ObservedSubtest[] {
  const out: ObservedSubtest[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = shiftedSubtest(list[i]!, shift);
  return out;
}

const ref = (r: LineRef | null, shift: number): LineRef | null =>
  r === null ? null : { line: r.line + shift, text: r.text };

const totals = (t: Totals, shift: number): Totals => ({
  pass: t.pass,
  fail: t.fail,
  xfail: t.xfail,
  xpass: t.xpass,
  skip: t.skip,
  error: t.error,
  line: t.line + shift,
});

const verdict = (v: WrapperVerdict, shift: number): WrapperVerdict => ({
  ok: v.ok,
  number: v.number,
  name: v.name,
  directive: v.directive,
  line: v.line + shift,
  text: v.text,
});

const crash = (c: CrashMarker, shift: number): CrashMarker => ({
  kind: c.kind,
  line: c.line + shift,
  text: c.text,
  duringSubtest: c.duringSubtest,
});

const infra = (f: InfraFailure, shift: number): InfraFailure => ({
  kind: f.kind,
  line: f.line + shift,
  text: f.text,
});

const issue = (i: ParseIssue, shift: number): ParseIssue => ({
  line: i.line === null ? null : i.line + shift,
  code: i.code,
  message: i.message,
});

const facts = (f: RunFacts): RunFacts => ({
  hugetlbSizesKiB: f.hugetlbSizesKiB.slice(),
  hugetlbWording: f.hugetlbWording,
  pmdSizeKiB: f.pmdSizeKiB,
  thpSizesKiB: f.thpSizesKiB.slice(),
  hugeZeropage: f.hugeZeropage,
  infoBeforeHeader: f.infoBeforeHeader,
});

const pending = (p: PendingRun, shift: number): PendingRun => ({
  name: p.name,
  id: p.id,
  owner: p.owner,
  line: p.line + shift,
  diagnostics: shiftedRefs(p.diagnostics, shift),
  interleaved: shiftedRefs(p.interleaved, shift),
});

const wrapper = (w: WrapperSource, shift: number): WrapperSource => ({
  kind: w.kind,
  banner: ref(w.banner, shift),
  underKselftestRunner: w.underKselftestRunner,
  timeoutSetTo: w.timeoutSetTo,
});

/** `into` (a fresh list of the same limit) filled with copies of `from`'s items. */
function fillList<T>(
  into: CappedList<T>,
  from: CappedList<T>,
  item: (x: T, shift: number) => T,
  shift: number,
): void {
  for (const x of from.items) into.items.push(item(x, shift));
  into.dropped = from.dropped;
}

/** `into` (a fresh collector) filled with copies of `from`'s hints; false if `from` is mid-note. */
function fillEras(into: EraCollector, from: EraCollector, shift: number): boolean {
  const src = (from as unknown as { byPlugin: PluginEras[] }).byPlugin;
  const dst = (into as unknown as { byPlugin: PluginEras[] }).byPlugin;
  if (src.length !== dst.length) return false;
  for (let i = 0; i < src.length; i++) {
    const s = src[i]!;
    if (s.at !== null) return false;
    const seen: Map<Era, LineRef> = dst[i]!.seen;
    for (const [era, r] of s.seen) seen.set(era, { line: r.line + shift, text: r.text });
  }
  return true;
}

/**
 * A copy of `src` with every line number `shift` larger; `generic` (replay-state.ts copy())
 * for any field not handled here. The builder is made by its constructor (the parser's own
 * objects' shape), whose fresh lists, facts and era collector are then filled or replaced.
 */
export function copyBuilder(src: RunBuilder, shift: number, generic: Copy): RunBuilder {
  const out = new RunBuilder(src.depth, src.startLine + shift, wrapper(src.wrapper, shift));
  const o = out as unknown as Record<string, unknown>;
  const s = src as unknown as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    const x = s[k];
    switch (k) {
      case 'depth':
      case 'startLine':
      case 'wrapper':
        continue; // the constructor's
      case 'endLine':
        o[k] = (x as number) + shift;
        continue;
      case 'subtests':
        o[k] = subtests(x as ObservedSubtest[], shift);
        continue;
      case 'diagnostics':
      case 'unknownLines':
      case 'programLines':
      case 'loose':
        o[k] = shiftedRefs(x as LineRef[], shift);
        continue;
      case 'facts':
        o[k] = facts(x as RunFacts);
        continue;
      case 'mapped':
      case 'textEvidence':
        o[k] = (x as unknown[]).slice();
        continue;
      case 'tapVersion':
      case 'plan':
      case 'plannedMismatch':
      case 'skippedNotice':
      case 'status':
      case 'timedOut':
        // Flat records of numbers and strings whose one line number is `line`.
        o[k] = x === null ? null : flat(x as { line: number }, shift);
        continue;
      case 'bailout':
        o[k] = ref(x as LineRef | null, shift);
        continue;
      case 'totals':
        o[k] = x === null ? null : totals(x as Totals, shift);
        continue;
      case 'verdict':
        o[k] = x === null ? null : verdict(x as WrapperVerdict, shift);
        continue;
      case 'pending':
        o[k] = x === null ? null : pending(x as PendingRun, shift);
        continue;
      case 'strays':
      case 'bailouts':
      case 'totalsLines':
      case 'crashes':
      case 'infra':
      case 'issues': {
        const list = x as CappedList<unknown>;
        const fresh = o[k] as CappedList<unknown>;
        if (
          !(list instanceof CappedList) ||
          !(fresh instanceof CappedList) ||
          fresh.limit !== list.limit
        )
          break;
        fillList(fresh, list, LIST_ITEM[k] as (v: unknown, shift: number) => unknown, shift);
        continue;
      }
      case 'eras': {
        const fresh = o[k] as EraCollector;
        if (!(x instanceof EraCollector) || !fillEras(fresh, x, shift)) {
          o[k] = generic(x, shift);
        }
        continue;
      }
      default:
        if (typeof x !== 'object' || x === null) {
          o[k] = x;
          continue;
        }
    }
    o[k] = generic(x, shift);
  }
  return out;
}

const LIST_ITEM = {
  strays: shiftedSubtest,
  bailouts: (r: LineRef, shift: number): LineRef => ({ line: r.line + shift, text: r.text }),
  totalsLines: totals,
  crashes: crash,
  infra,
  issues: issue,
};

/**
 * A flat record's copy: every own field as it is, `line` moved. Only the records named in
 * copyBuilder() come here ({version, line}, {count, line}, {planned, run, line},
 * {status, line}, {seconds, line}): numbers and strings, nothing to copy deeper.
 */
function flat<T extends { line: number }>(x: T, shift: number): T {
  const c = { ...x };
  c.line = x.line + shift;
  return c;
}

type Equal = (a: unknown, b: unknown, shift: number) => boolean;

const emptyList = (x: unknown): boolean => x instanceof CappedList && x.items.length === 0;

function emptyEras(x: unknown): boolean {
  if (!(x instanceof EraCollector)) return false;
  for (const p of (x as unknown as { byPlugin: PluginEras[] }).byPlugin)
    if (p.seen.size !== 0 || p.at !== null) return false;
  return true;
}

/**
 * equalShifted() of two RunBuilders (replay-state.ts), with the empty parts of a run that just
 * opened — what the replay compares every run's first state by (replay.ts classOf()) —
 * compared without walking them; `generic` for the rest. The same answer as the generic
 * comparison: an empty list, collector or array equals another only when both are empty.
 */
export function equalBuilders(
  a: RunBuilder,
  b: RunBuilder,
  shift: number,
  generic: Equal,
): boolean {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  const ka = Object.keys(ra);
  if (ka.length !== Object.keys(rb).length) return false;
  for (const k of ka) {
    const x = ra[k];
    const y = rb[k];
    if (k === 'startLine' || k === 'endLine') {
      if (y !== (x as number) + shift) return false;
      continue;
    }
    if (typeof x !== 'object' || x === null) {
      if (x !== y) return false;
      continue;
    }
    if (Array.isArray(x) && x.length === 0) {
      if (!Array.isArray(y) || y.length !== 0) return false;
      continue;
    }
    if (emptyList(x) && emptyList(y)) {
      const lx = x as CappedList<unknown>;
      const ly = y as CappedList<unknown>;
      if (lx.limit !== ly.limit || lx.dropped !== ly.dropped) return false;
      continue;
    }
    if (k === 'eras' && emptyEras(x) && emptyEras(y)) continue;
    if (!generic(x, y, shift)) return false;
  }
  return true;
}
