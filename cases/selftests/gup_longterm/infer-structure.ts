/**
 * What a run says about its machine by its structure alone, before any prediction: the
 * hugetlb sizes (the [INFO] lines, else the sizes the [RUN] lines name, else the plan) and
 * whether the test was built with liburing.
 */
import type { ParsedRun } from '../../../reports/parse/types.js';
import type { InferredFact } from '../../../reports/diff/types.js';

const X86_SIZES = [2048, 1048576];
const ARM64_SIZES = [2048, 32768, 64, 1048576];

/** Sizes and liburing from the structure of the run. */
export function structuralFacts(run: ParsedRun): {
  sizes: InferredFact<number[]>;
  liburing: InferredFact<boolean>;
} {
  const iouringSeen = run.subtests.some((s) => s.id?.startsWith('iouring/'));
  const idSizes = [
    ...new Set(
      run.subtests
        .map((s) => /memfd-hugetlb-(\d+)kB$/.exec(s.id ?? '')?.[1])
        .filter((x): x is string => !!x)
        .map(Number),
    ),
  ];
  let sizes: InferredFact<number[]>;
  if (run.facts.hugetlbSizesKiB.length) {
    sizes = {
      value: run.facts.hugetlbSizesKiB,
      certainty: 'certain',
      because: '[INFO] detected hugetlb … lines',
    };
  } else if (idSizes.length) {
    sizes = { value: idSizes, certainty: 'likely', because: 'hugetlb sizes named in [RUN] lines' };
  } else if (run.plan) {
    const h10 = run.plan.count / 10 - 3;
    const h8 = run.plan.count / 8 - 3;
    const h = iouringSeen || Number.isInteger(h10) ? h10 : h8;
    const guess = h === 4 ? ARM64_SIZES : X86_SIZES.slice(0, Math.max(0, h));
    sizes = {
      value: Number.isInteger(h) && h >= 0 ? guess : X86_SIZES,
      certainty: 'guess',
      because: `plan ${run.plan.count} with no [INFO] lines`,
    };
  } else {
    sizes = {
      value: X86_SIZES,
      certainty: 'guess',
      because: 'nothing in the log names them (x86_64 default)',
    };
  }
  let liburing: InferredFact<boolean>;
  const h = sizes.value.length;
  if (iouringSeen) liburing = { value: true, certainty: 'certain', because: 'io_uring sub-tests present' };
  else if (run.plan && run.plan.count === 10 * (3 + h))
    liburing = {
      value: true,
      certainty: 'certain',
      because: `plan ${run.plan.count} = 10 cases × ${3 + h}`,
    };
  else if (run.plan && run.plan.count === 8 * (3 + h))
    liburing = {
      value: false,
      certainty: 'certain',
      because: `plan ${run.plan.count} = 8 cases × ${3 + h}: built without liburing`,
    };
  else
    liburing = {
      value: true,
      certainty: 'guess',
      because: 'no plan and no io_uring sub-tests in the excerpt',
    };
  return { sizes, liburing };
}
