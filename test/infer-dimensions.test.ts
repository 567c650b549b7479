/**
 * An unpinned search memoises scores by searchCoordinates(): the fields its dimensions say
 * they vary. An option that writes a field its dimension's coordinate leaves out would let two
 * different environments share one memo entry (and one score). So: over every environment a
 * search can reach in two steps from its start, environments with one set of coordinates must
 * be one environment.
 */
import t from 'tap';
import { isDeepStrictEqual } from 'node:util';
import { environmentFromJson, type Environment } from '../cases/env.js';
import { searchCoordinates, type Dimension } from '../reports/diff/infer-dimensions.js';
import { dimensions, kernelOptions } from '../cases/selftests/gup_longterm/infer-dimensions.js';

// As descend() does: the kernel dimension's options are the tree's eras.
const optionsOf = (d: Dimension, e: Environment): Dimension['options'] => (d.name === 'kernel' ? kernelOptions(e.selftest.tree) : d.options);

function start(tree: string): Environment {
  const r = environmentFromJson({
    kernel: { release: tree === 'prototype' ? '6.4' : tree },
    arch: 'x86_64',
    hugetlb: [2048, 1048576].map((sizeKiB) => ({ sizeKiB, free: 0 })),
    selftest: { tree, liburing: '2.5' },
  });
  if (!r.ok) throw new Error(r.error);
  return r.env;
}

for (const trees of [['7.2', '6.18', '6.19', '6.16'], ['prototype']]) {
  t.test(`dimensions of a search over ${trees.join(', ')}, with liburing`, async (t) => {
    // Every dimension there is: several trees, two hugetlb sizes, liburing (memlock, io_uring_disabled).
    const dims = dimensions([2048, 1048576], true, trees);
    let frontier = [start(trees[0]!)];
    const byKey = new Map<string, Environment>();
    const clashes: string[] = [];
    for (let step = 0; step <= 2; step++) {
      const next: Environment[] = [];
      for (const e of frontier) {
        const key = searchCoordinates(e, dims);
        const known = byKey.get(key);
        if (known === undefined) byKey.set(key, e);
        else if (!isDeepStrictEqual(known, e)) clashes.push(`${JSON.stringify(known)} vs ${JSON.stringify(e)}`);
        if (step < 2) for (const d of dims) for (const o of optionsOf(d, e)) next.push(o.apply(e));
      }
      frontier = next;
    }
    t.equal(clashes.length, 0, `one set of coordinates, two environments: ${clashes[0] ?? 'none'}`);
    t.ok(byKey.size > 100, `${byKey.size} distinct environments reached`);
  });
}
