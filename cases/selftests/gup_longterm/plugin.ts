/**
 * gup_longterm as a plug-in (../plugin.ts): tools/testing/selftests/mm/gup_longterm.c and its
 * May 2023 prototype pin_longterm, run by `run_vmtests.sh -t gup_test` after the gup_test
 * programs, and on 7.x trees by the kselftest collection's ksft_gup_test.sh.
 */
import type { SelftestPlugin } from '../plugin.js';
import { GUP_LONGTERM_DEFECTS } from './defects.js';
import { caseOfSubtestId, subtestIdFromRunName } from './ids.js';
import { identifyGupLongterm } from './identify.js';
import { GUP_LONGTERM_INFERENCE } from './infer.js';
import { GUP_LONGTERM_POSITIONS, isRunNameStart } from './positions.js';
import { GUP_LONGTERM_VERSIONS, gupLongtermBuild } from './versions.js';
import { GUP_LONGTERM_VOCABULARY } from './vocabulary.js';

const OWN_ID = /^(?:(?:rw|ro)\/(?:gup|gup-fast)|iouring)\/(?:shared|private)\//;

export const gupLongterm: SelftestPlugin = {
  name: 'gup_longterm',
  versions: GUP_LONGTERM_VERSIONS,
  build: gupLongtermBuild,
  ids: {
    shapes:
      '<rw|ro>/<gup|gup-fast>/<shared|private>/<backing> or iouring/<shared|private>/<backing>, backing = memfd, tmpfile, local-tmpfile, memfd-hugetlb-<N>kB',
    owns: (id) => OWN_ID.test(id),
    fromRunName: (name) => subtestIdFromRunName(name),
    isRunNameStart,
    positions: GUP_LONGTERM_POSITIONS,
    // Every GUP case runs before the first io_uring case (ids.ts TEST_CASES).
    precedeIoUring: (ids) => ids.every((id) => caseOfSubtestId(id) !== 'iouring'),
  },
  runners: {
    programs: ['gup_longterm', 'pin_longterm'],
    vmtestsCategory: 'gup_test',
    ksftEntry: 'ksft_gup_test.sh',
    // Its category's programs before it: `gup_test -u`, `./gup_test -ct …`.
    siblings: /^(?:\S*\/)?gup_test$/,
  },
  vocabulary: GUP_LONGTERM_VOCABULARY,
  identify: identifyGupLongterm,
  inference: GUP_LONGTERM_INFERENCE,
  defects: GUP_LONGTERM_DEFECTS,
  // Its refusals lead to scenarios by the commits their traces cite (scenariosForTrace()).
  scenarioFor: () => undefined,
  scenarioArgs: () => '',
  exports: { suite: 'kselftest.mm.gup_longterm', localId: (id) => id },
};
