/**
 * Copying and comparing the state of an open run (RunBuilder and what hangs off it) with its
 * line numbers moved by a constant: what the replay of a repeated run body needs (replay.ts).
 *
 * The parser is translation-invariant in line numbers — it stores them and compares them with
 * each other, never with a constant — so the same lines parsed from the same state N lines
 * further down give the same state with every line number N larger. Line numbers live in the
 * fields named in LINE_KEYS (types.ts: LineRef.line, ParseIssue.line, Totals.line, …;
 * run-builder.ts: startLine, endLine; subtests.ts: PendingRun.line, runLine); every other
 * number is copied as it is. Only plain objects, arrays, Maps and the classes the parser's run
 * state is made of are copied (anything else throws: better no replay than a wrong one);
 * strings are immutable and shared.
 */
import { EraCollector, PluginEras } from './eras.js';
import { CappedList } from './limits.js';
import { copyBuilder, equalBuilders } from './replay-builder.js';
import { RunBuilder } from './run-builder.js';

const LINE_KEYS = new Set(['line', 'startLine', 'endLine', 'runLine']);

/** Not state this module can copy exactly. */
export class UncopyableState extends Error {}

/** Deeper than any run state: a cycle or something that is not parser state. */
const MAX_DEPTH = 16;

/**
 * A deep copy of `value` with every line number `shift` larger. Objects shared inside it are
 * copied once per reference (the run state's shared LineRefs are never mutated once made).
 */
export function shiftedCopy<T>(value: T, shift: number): T {
  return copy(value, shift, 0, true) as T;
}

/** shiftedCopy() without the RunBuilder's own copy (replay-builder.ts): what a test checks it by. */
export function genericShiftedCopy<T>(value: T, shift: number): T {
  return copy(value, shift, 0, false) as T;
}

function copy(v: unknown, shift: number, depth: number, fast: boolean): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (depth > MAX_DEPTH) throw new UncopyableState('state too deep to be a run');
  if (Array.isArray(v)) {
    const n = v.length;
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = copy(v[i], shift, depth + 1, fast);
    return out;
  }
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto === Object.prototype) {
    // The common case (sub-tests, LineRefs): a spread keeps the object's shape.
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const k in out) {
      const x = out[k];
      if (typeof x === 'object' && x !== null) out[k] = copy(x, shift, depth + 1, fast);
      else if (typeof x === 'number' && LINE_KEYS.has(k)) out[k] = x + shift;
    }
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    for (const [k, x] of v)
      out.set(copy(k, shift, depth + 1, fast), copy(x, shift, depth + 1, fast));
    return out;
  }
  // The run state itself: field by field (replay-builder.ts), the rest through here.
  if (fast && proto === RunBuilder.prototype)
    return copyBuilder(v as RunBuilder, shift, (x, s) => copy(x, s, depth + 1, fast));
  const src = v as Record<string, unknown>;
  const out = blank(proto, src);
  for (const k of Object.keys(src)) {
    const x = src[k];
    out[k] =
      typeof x === 'number' && LINE_KEYS.has(k) ? x + shift : copy(x, shift, depth + 1, fast);
  }
  return out;
}

/**
 * An instance made by its class's constructor, so the copy has the shape (hidden class) of the
 * objects the parser makes: code reading a replayed run stays on its fast paths. Every field
 * is then overwritten by the copy.
 */
function blank(proto: object | null, src: Record<string, unknown>): Record<string, unknown> {
  const made =
    proto === RunBuilder.prototype
      ? new RunBuilder(
          src.depth as number,
          src.startLine as number,
          src.wrapper as RunBuilder['wrapper'],
        )
      : proto === CappedList.prototype
        ? new CappedList<unknown>(src.limit as number)
        : proto === EraCollector.prototype
          ? new EraCollector()
          : proto === PluginEras.prototype
            ? new PluginEras()
            : null;
  if (made === null)
    throw new UncopyableState(`cannot copy a ${String((src as object).constructor?.name)}`);
  return made as unknown as Record<string, unknown>;
}

/** Whether `b` is `a` with every line number `shift` larger (same shape, same values). */
export function equalShifted(a: unknown, b: unknown, shift: number): boolean {
  return equal(a, b, shift, true);
}

/** equalShifted() without the RunBuilder's own comparison (replay-builder.ts), for a test. */
export function genericEqualShifted(a: unknown, b: unknown, shift: number): boolean {
  return equal(a, b, shift, false);
}

function equal(a: unknown, b: unknown, shift: number, fast: boolean): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i], shift, fast)) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, x] of a) if (!b.has(k) || !equal(x, b.get(k), shift, fast)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(a) as object | null;
  if (proto !== Object.getPrototypeOf(b)) return false;
  if (fast && proto === RunBuilder.prototype)
    return equalBuilders(a as RunBuilder, b as RunBuilder, shift, equalShifted);
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) {
    const x = ra[k];
    const y = rb[k];
    if (typeof x === 'number' && LINE_KEYS.has(k)) {
      if (y !== x + shift) return false;
    } else if (!equal(x, y, shift, fast)) return false;
  }
  return true;
}
