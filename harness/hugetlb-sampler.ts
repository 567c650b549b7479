/**
 * What `gupsim live` can learn about hugetlb_setup() (the 7.2 selftest raises nr_hugepages
 * itself and restores it at exit): the peak nr_hugepages of each size while the binary runs,
 * sampled every few milliseconds. Peak minus the count before the run is how many pages
 * raising nr_hugepages really yielded — the environment's hugetlb[].allocatable.
 */
import { readFileSync } from 'node:fs';

const HP = '/sys/kernel/mm/hugepages';

export type ReadFile = (path: string) => string | undefined;

const readSysfs: ReadFile = (p) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

export class HugetlbSampler {
  private readonly before = new Map<number, number>();
  private readonly peak = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sizesKiB: readonly number[],
    private readonly read: ReadFile = readSysfs,
  ) {
    for (const kb of sizesKiB) {
      const n = this.nr(kb);
      if (n !== undefined) {
        this.before.set(kb, n);
        this.peak.set(kb, n);
      }
    }
  }

  private nr(kb: number): number | undefined {
    const t = this.read(`${HP}/hugepages-${kb}kB/nr_hugepages`);
    const n = t === undefined ? NaN : Number(t.trim());
    return Number.isFinite(n) ? n : undefined;
  }

  /** Take one sample now (also called by the timer). */
  sample(): void {
    for (const kb of this.sizesKiB) {
      const n = this.nr(kb);
      if (n !== undefined && n > (this.peak.get(kb) ?? -1)) this.peak.set(kb, n);
    }
  }

  start(intervalMs = 5): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  /** Sizes whose pool grew while the binary ran, with the pages it grew by. */
  raised(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [kb, b] of this.before) {
      const p = this.peak.get(kb) ?? b;
      if (p > b) out.set(kb, p - b);
    }
    return out;
  }
}
