/**
 * The selftests gupsim knows, by the name of their program (`selftest.name`). A leaf module:
 * the environment parser needs the names without loading any selftest.
 */
export type SelftestName = 'gup_longterm' | 'cow';
export const SELFTEST_NAMES: readonly SelftestName[] = ['gup_longterm', 'cow'];

export function isSelftestName(s: string): s is SelftestName {
  return (SELFTEST_NAMES as readonly string[]).includes(s);
}

/** The test a run or an environment is when nothing names one (the first gupsim read). */
export const DEFAULT_SELFTEST: SelftestName = 'gup_longterm';
