/**
 * What the log parser needs to know of cow.c's output (the plug-in's read side, ./plugin.ts):
 * its detection lines and the machine facts they carry, the `[RUN]` line that heads the
 * non-anonymous group, the lines its THP helper prints when it cannot write sysfs, the result
 * texts only it prints, and the wordings that date its eras (identify.ts reads them):
 *
 *   unique-names     the result line repeats the `[RUN]` name (v6.16, Mark Brown's unique names)
 *   verdict-texts    E1: the result text is a verdict or a reason ("No leak from …", skips)
 *   xfail            `# XFAIL` results (4bf6a4ebc592, v6.10)
 *   no-leak-fail     `not ok N No leak from …`: a failure worded as the pass (before v6.10)
 *   leak-fail        `not ok N Leak from …` (E1 from v6.10)
 *   thp-unsized      THP backings without ` (<s> kB)` (before the mTHP tests, v6.8)
 *   fallocate-skip   "fallocate() not supported by filesystem" (the 7.2 tree's tmpfile SKIP)
 *   need-more-huge   "need more free huge pages" (trees without hugetlb_setup(2), before 7.2)
 *   hugetlb-size-wording  "[INFO] detected hugetlb size" (before the helper moved to vm_util, v6.5)
 */
import type { ObservedSubtest } from '../../../reports/parse/types.js';
import type { EraNotes, FactRule, Vocabulary } from '../plugin.js';
import { HUGETLB_LIMIT, HUGETLB_SIZE } from '../vocabulary.js';

const PMD_SIZE: FactRule = {
  first: '[',
  pattern: /^\[INFO\] detected PMD size: (\d+) KiB\s*$/,
  fact: (m) => ({ kind: 'pmd-size', sizeKiB: Number(m[1]) }),
};

const THP_SIZE: FactRule = {
  first: '[',
  pattern: /^\[INFO\] detected THP size: (\d+) KiB\s*$/,
  fact: (m) => ({ kind: 'thp-size', sizeKiB: Number(m[1]) }),
};

const HUGE_ZEROPAGE: FactRule = {
  first: '[',
  pattern: /^\[INFO\] huge zeropage is enabled\s*$/,
  fact: () => ({ kind: 'huge-zeropage' }),
};

/** E1 verdict texts (a pass, and before v6.10 a failure too; "Leak from …" fails from v6.10). */
export const VERDICT_TEXT =
  /^(?:(?:No leak|Leak) from (?:parent into child|child into parent)|Longterm R\/[OW] pin is reliable|Other mapping not modified)$/;
/** Reasons only cow gives (E1 result texts, E2 `# ` lines). */
export const COW_REASON =
  /^(?:MADV_PAGEOUT did not work, is swap enabled\?|Did not get a THP populated|Did not get THPs populated|Huge zeropage not enabled|MADV_COLLAPSE failed)/;
/** A THP backing in the words of the trees before v6.8: no ` (<s> kB)`. */
const UNSIZED_THP =
  /\.\.\. with (?:swapped-out |PTE-mapped |single PTE of |partially mremap\(\)'ed |partially shared |, )*THP$/;

/**
 * thp_settings.c (v6.8 … the 6.x trees) when a sysfs file cannot be written (as non-root):
 * `printf("open(%s)\n", path)` or `printf("write(%s)\n", buf)`, or perror(path), then exit(1)
 * — no `# `, no Bail out!, no counters.
 */
const THP_SETTINGS_EXIT = [
  { first: 'o', pattern: /^open\(\/sys\/kernel\/mm\/transparent_hugepage\/[^)]*\)$/ },
  {
    first: 'w',
    pattern:
      /^write\((?:always|madvise|never|inherit|within_size|advise|deny|force|defer(?:\+madvise)?|\d+)\)$/,
  },
  { first: '/', pattern: /^\/sys\/kernel\/mm\/transparent_hugepage\/\S+: [A-Z][^:]*$/ },
];

const THP_BAIL = /^\/sys\/kernel\/mm\/transparent_hugepage\/\S+ (?:open|write) failed/;

/** First letters before each regex. */
const verdictText = (t: string): boolean => {
  const c = t.charCodeAt(0);
  return (c === 78 /* N */ || c === 76 /* L */ || c === 79) /* O */ && VERDICT_TEXT.test(t);
};
const cowReason = (t: string): boolean => {
  const c = t.charCodeAt(0);
  return (c === 77 /* M */ || c === 68 /* D */ || c === 72) /* H */ && COW_REASON.test(t);
};

function eraHints(s: ObservedSubtest, eras: EraNotes): void {
  if (s.resultText === null) return;
  const name = s.runName;
  const d = s.description ?? '';
  const dt = s.directive?.text ?? '';
  if (name !== null && ((d !== '' && d === name) || (dt !== '' && dt === name)))
    eras.note('unique-names');
  // The regexes only for texts that may match (every result line of every log comes here).
  else if (!eras.has('verdict-texts') && (verdictText(d) || cowReason(dt) || cowReason(d)))
    eras.note('verdict-texts');
  if (s.directive?.kind === 'XFAIL') eras.note('xfail');
  if (s.verdict === 'fail') {
    if (d.startsWith('No leak from')) eras.note('no-leak-fail');
    else if (d.startsWith('Leak from')) eras.note('leak-fail');
  }
  if (name !== null && name.endsWith('THP') && !eras.has('thp-unsized') && UNSIZED_THP.test(name))
    eras.note('thp-unsized');
  const last = s.diagnostics.length > 0 ? s.diagnostics[s.diagnostics.length - 1]!.text : dt;
  if (last === 'fallocate() not supported by filesystem') eras.note('fallocate-skip');
  else if (last === 'need more free huge pages' || last.startsWith('need more free huge pages:'))
    eras.note('need-more-huge');
}

export const COW_VOCABULARY: Vocabulary = {
  facts: [HUGETLB_SIZE, HUGETLB_LIMIT, PMD_SIZE, THP_SIZE, HUGE_ZEROPAGE],
  // run_non_anon_test_cases() announces its group with [RUN] (sic), like a sub-test.
  groupHeaders: ['Non-anonymous memory tests in private mappings'],
  programLines: THP_SETTINGS_EXIT,
  // Each pattern's first letters before its regex (every result line of a log is asked).
  namesTest: (d, dt) => verdictText(d) || cowReason(dt),
  // hugepage_settings.c (7.2 tree) failing to write the THP policy: only cow pushes THP settings.
  namesBailout: (text) => THP_BAIL.test(text),
  eraHints,
  diagnosticEra: () => null,
  factEra: (f) =>
    f.kind === 'hugetlb-size' && f.wording === 'hugetlb size' ? 'hugetlb-size-wording' : null,
  glue: null,
};
