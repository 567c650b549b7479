/**
 * Goal 3 (prediction): sub-tests per second of an in-process sweep over releases × selftest
 * trees × a grid of environments, with traces off (what a search runs). No prediction cache:
 * every environment is simulated.
 */
import { environmentFromJson } from '../cases/env.js';
import { predict } from '../cases/predict.js';
import { median, timed } from './measure.js';

const RELEASES = ['5.10', '5.13', '5.15', '6.1', '6.4', '6.5', '6.6', '6.10', '6.12', '6.15', '6.16', '6.18', '6.19', '7.2.13', 'next'];
const TREES = ['prototype', '6.5', '6.7', '6.10', '6.14', '6.15', '6.16-rc1', '6.16', '6.17', '6.19', '7.2.13'];
const GRID = [
  { fs: { tmp: 'tmpfs', cwd: 'ext4' }, hugetlb: [{ sizeKiB: 2048, free: 2 }, { sizeKiB: 1048576, free: 2 }] },
  { fs: { tmp: 'ext4', cwd: 'xfs' }, hugetlb: [{ sizeKiB: 2048, free: 1 }] },
  { fs: { tmp: 'overlayfs', cwd: { type: '9p', host: 'ext4' } }, hugetlb: [] },
  { fs: { tmp: 'nfs3', cwd: 'btrfs' }, hugetlb: [{ sizeKiB: 64, free: 0 }, { sizeKiB: 2048, free: 2 }, { sizeKiB: 32768, free: 0 }], arch: 'arm64' },
  { fs: { tmp: 'tmpfs', cwd: 'ext4-dax' }, hugetlb: [{ sizeKiB: 2048, free: 2 }], user: { root: false, memlockKiB: 64 } },
];

export interface SweepFigures {
  programs: number;
  subtests: number;
  ms: number;
  subtestsPerSec: number;
  /**
   * The same from CPU time (all threads): what other load on the machine moves least, but not
   * nothing. On the shared 2-core VM, CPU time itself runs up to ~2x slower for seconds at a
   * time, in every process at once: two processes taking turns slow down together, and a JSON
   * parse/stringify loop with no gupsim code slows 1.7x in the same windows (r = 0.82). Compare
   * builds by taking turns in one window, not by separate runs.
   */
  subtestsPerCpuSec: number;
}

function sweepOnce(): { programs: number; subtests: number } {
  let programs = 0;
  let subtests = 0;
  for (const release of RELEASES) {
    for (const tree of TREES) {
      for (const g of GRID) {
        const e = environmentFromJson({ kernel: { release }, selftest: { tree, liburing: '2.3' }, ...g });
        if (!e.ok) continue;
        const p = predict(e.env, { trace: false });
        if ('error' in p) continue;
        programs++;
        subtests += p.run.subtests.length;
      }
    }
  }
  return { programs, subtests };
}

export function sweepFigures(rounds: number): SweepFigures {
  const times: number[] = [];
  const cpu: number[] = [];
  // One untimed round first: it is where V8 compiles the model (about 3x slower than the
  // rounds after it). A search runs thousands of predictions in one process, so the figure
  // is the steady state, and --quick's single round would otherwise time only the warm-up.
  let last = sweepOnce();
  for (let i = 0; i < rounds; i++) {
    const t = timed(sweepOnce);
    times.push(t.wallMs);
    cpu.push(t.cpuMs);
    last = t.value;
  }
  const ms = median(times);
  return { ...last, ms, subtestsPerSec: (last.subtests / ms) * 1000, subtestsPerCpuSec: (last.subtests / median(cpu)) * 1000 };
}
