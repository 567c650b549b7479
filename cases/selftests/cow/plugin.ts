/**
 * cow as a plug-in (../plugin.ts): tools/testing/selftests/mm/cow.c, run by `run_vmtests.sh
 * -t cow` (the category's one program) and on 7.x trees by the kselftest collection's
 * ksft_cow.sh. The run side is cowmodel's (./versions.ts, ./main.ts …); this file adds the
 * read side: vocabulary.ts, identify.ts, infer.ts, defects.ts.
 */
import { cowEitherWay } from '../../scenarios/cow-either-way.js';
import type { SelftestPlugin } from '../plugin.js';
import { cowBuild } from './build.js';
import { COW_DEFECTS } from './defects.js';
import {
  ANON_FAMILIES,
  COLLAPSE_FAMILIES,
  NON_ANON_FAMILIES,
  cowSubtestIdFromRunName,
} from './ids.js';
import { identifyCow } from './identify.js';
import { COW_INFERENCE } from './infer.js';
import { COW_VERSIONS } from './versions.js';
import { COW_VOCABULARY } from './vocabulary.js';

/**
 * The rows that check "COW can break either way": the fork() and COW rows, the vmsplice()
 * rows (CVE-2020-29374) and the long-term pin rows all stand for cow-either-way's story.
 */
const COW_EITHER_WAY_FAMILIES = /^cow\/(basic-after-fork|vmsplice-|iouring-|ro-pin|collapse-)/;

/** The anonymous families before the first io_uring one (anon_test_cases[] order). */
const BEFORE_IOURING = new Set<string>(
  ANON_FAMILIES.slice(
    0,
    ANON_FAMILIES.findIndex((f) => f.id.startsWith('iouring-')),
  ).map((f) => f.id),
);

const DESCRIPTIONS: readonly string[] = [
  ...ANON_FAMILIES,
  ...COLLAPSE_FAMILIES,
  ...NON_ANON_FAMILIES,
].map((f) => f.desc);

/** A `[RUN]` name cut short is the start of a cow name: at least `Basic COW` long. */
function isRunNameStart(name: string): boolean {
  if (name.length < 9) return false;
  return DESCRIPTIONS.some(
    (d) =>
      d.startsWith(name) || name.startsWith(`${d} ... with `) || `${d} ... with `.startsWith(name),
  );
}

export const cow: SelftestPlugin = {
  name: 'cow',
  versions: COW_VERSIONS,
  build: cowBuild,
  ids: {
    shapes:
      'cow/<family>/<backing> such as cow/vmsplice-unmap-child/pte-thp-64kB or cow/ro-pin-fast/memfd-hugetlb-2048kB, and cow/<collapse family> such as cow/collapse-after-fork-lower-shared',
    owns: (id) => id.startsWith('cow/'),
    fromRunName: (name, pmdKiB) => cowSubtestIdFromRunName(name, pmdKiB),
    isRunNameStart,
    positions: null,
    // The io_uring families come after the basic and vmsplice ones, before everything else.
    precedeIoUring: (ids) => ids.every((id) => BEFORE_IOURING.has(id.split('/')[1] ?? '')),
  },
  runners: { programs: ['cow'], vmtestsCategory: 'cow', ksftEntry: 'ksft_cow.sh', siblings: null },
  vocabulary: COW_VOCABULARY,
  identify: identifyCow,
  inference: COW_INFERENCE,
  defects: COW_DEFECTS,
  scenarioFor: (id) => (COW_EITHER_WAY_FAMILIES.test(id) ? cowEitherWay : undefined),
  // cow.c's anonymous rows run in MAP_ANONYMOUS memory: cow-either-way's `--backing anonymous`.
  scenarioArgs: (id, scenario) =>
    scenario !== cowEitherWay || /^cow\/(ro-pin|ro-pin-fast|basic)\/|\/hugetlb-/.test(id)
      ? ''
      : ' --backing anonymous',
  exports: { suite: 'kselftest.mm.cow', localId: (id) => id.replace(/^cow\//, '') },
};
