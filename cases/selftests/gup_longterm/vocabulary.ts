/**
 * What the log parser needs to know of gup_longterm's output: its [INFO] lines (the hugetlb
 * sizes vm_util.c detects; v7.2's size limit), its result texts that name it, its wording
 * eras (./eras.ts) and the v6.15 `(EINVAL)n` typo that glues the next line onto a message.
 */
import { HUGETLB_LIMIT, HUGETLB_SIZE } from '../vocabulary.js';
import type { Vocabulary } from '../plugin.js';
import { EINVAL_DIAGNOSTIC, gupLongtermEraHints, PROTOTYPE_RESULT, SHOULD_HAVE } from './eras.js';

/**
 * The v6.15 `(EINVAL)n` typo (a lost backslash): the next output continues on the same line.
 * Split after the `n` when what follows is a TAP line or another diagnostic.
 */
export const EINVAL_GLUE = /\)n(?=(?:not )?ok \d|# |#$|Bail out!|TAP version )/;

export const GUP_LONGTERM_VOCABULARY: Vocabulary = {
  facts: [HUGETLB_SIZE, HUGETLB_LIMIT],
  groupHeaders: [],
  programLines: [],
  // Only gup_longterm says "Should have worked", only the prototype "Pinning … as expected"
  // (each pattern's first letter first, before its regex).
  namesTest: (d) => {
    const c0 = d.charCodeAt(0);
    return (
      (c0 === 83 /* S */ && SHOULD_HAVE.test(d)) || (c0 === 80 /* P */ && PROTOTYPE_RESULT.test(d))
    );
  },
  // Its bail-outs (too few huge pages, nr_hugepages not writable) are vm_util's, cow's too.
  namesBailout: () => false,
  eraHints: gupLongtermEraHints,
  diagnosticEra: (text) => (EINVAL_DIAGNOSTIC.test(text) ? 'v6.16+' : null),
  // pin_longterm printed vm_util's older "detected hugetlb size".
  factEra: (f) => (f.kind === 'hugetlb-size' && f.wording === 'hugetlb size' ? 'prototype' : null),
  glue: { hint: ')n', at: EINVAL_GLUE },
};
