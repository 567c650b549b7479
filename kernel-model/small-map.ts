/**
 * A Map for the small per-object tables of the model: a VMA's page-table entries and an
 * inode's page cache (by page index), a directory's entries (by name). Almost every one holds
 * at most one entry for its whole life (a selftest maps one page or one huge page, and creates
 * one file at a time), so the first entry is kept in fields and a Map is made only when a
 * second key arrives: a Map costs a hash table even when it holds one entry (and a new one
 * when a delete shrinks it), and a prediction makes two or three of these per sub-test.
 *
 * Map semantics, insertion order included: the inline entry is the oldest, and it goes into
 * the Map first when one is made. Once a Map exists it keeps every entry. Keys compare with
 * ===, which is the Map's SameValueZero for every key but NaN (never a page index or a name).
 */
export class SmallMap<K, V> {
  private has0 = false;
  private key0: K | undefined = undefined;
  private value0: V | undefined = undefined;
  private map: Map<K, V> | undefined = undefined;

  get size(): number {
    if (this.map !== undefined) return this.map.size;
    return this.has0 ? 1 : 0;
  }

  get(key: K): V | undefined {
    if (this.map !== undefined) return this.map.get(key);
    return this.has0 && key === this.key0 ? this.value0 : undefined;
  }

  has(key: K): boolean {
    if (this.map !== undefined) return this.map.has(key);
    return this.has0 && key === this.key0;
  }

  set(key: K, value: V): this {
    if (this.map !== undefined) {
      this.map.set(key, value);
    } else if (!this.has0 || key === this.key0) {
      this.has0 = true;
      this.key0 = key;
      this.value0 = value;
    } else {
      const map = new Map<K, V>();
      map.set(this.key0 as K, this.value0 as V);
      map.set(key, value);
      this.map = map;
      this.has0 = false;
      this.key0 = undefined;
      this.value0 = undefined;
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.map !== undefined) return this.map.delete(key);
    if (!this.has0 || key !== this.key0) return false;
    this.has0 = false;
    this.key0 = undefined;
    this.value0 = undefined;
    return true;
  }

  clear(): void {
    this.map = undefined;
    this.has0 = false;
    this.key0 = undefined;
    this.value0 = undefined;
  }

  /**
   * The value of the one entry kept in fields (no Map made), else undefined: the fast path of
   * a caller that would forEach() a map holding one entry, as nearly all do. forEach() calls
   * its function through call(), which V8 does not inline when callers pass different ones.
   */
  sole(): V | undefined {
    return this.map === undefined && this.has0 ? this.value0 : undefined;
  }

  /** The key of the entry sole() answers for (undefined when sole() is). */
  soleKey(): K | undefined {
    return this.map === undefined && this.has0 ? this.key0 : undefined;
  }

  /** Map.forEach in insertion order; `thisArg` lets a caller pass state without a closure. */
  forEach<T>(fn: (this: T, value: V, key: K) => void, thisArg?: T): void {
    if (this.map !== undefined)
      this.map.forEach(fn as (this: T, value: V, key: K) => void, thisArg);
    else if (this.has0) fn.call(thisArg as T, this.value0 as V, this.key0 as K);
  }

  *keys(): IterableIterator<K> {
    if (this.map !== undefined) yield* this.map.keys();
    else if (this.has0) yield this.key0 as K;
  }

  *values(): IterableIterator<V> {
    if (this.map !== undefined) yield* this.map.values();
    else if (this.has0) yield this.value0 as V;
  }

  *entries(): IterableIterator<[K, V]> {
    if (this.map !== undefined) yield* this.map.entries();
    else if (this.has0) yield [this.key0 as K, this.value0 as V];
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}
