// gupsim live measures hugetlb[].allocatable from the run: the peak nr_hugepages the 7.2
// test's hugetlb_setup() reached, against the count before it started.
import t from 'tap';
import { HugetlbSampler } from '../harness/hugetlb-sampler.js';

t.test('a pool the test raised and restored: allocatable is what it got; untouched pools say nothing', async (t) => {
  const nr = new Map([
    [2048, 0],
    [1048576, 1],
  ]);
  const read = (p: string): string | undefined => {
    const kb = Number(/hugepages-(\d+)kB/.exec(p)?.[1]);
    const v = nr.get(kb);
    return v === undefined ? undefined : `${v}\n`;
  };
  const s = new HugetlbSampler([2048, 1048576, 64], read);
  nr.set(2048, 2); // hugetlb_setup(2): 0 free → raised by 2
  s.sample();
  nr.set(2048, 0); // restored at exit
  s.stop();
  t.same([...s.raised()], [[2048, 2]], '1 GiB never moved; 64 kB unreadable');
});
