/**
 * What the gup_test programs run beside gup_longterm say of /sys/kernel/debug. gup_test.c
 * (7.x) words why it could not open /sys/kernel/debug/gup_test: EACCES "Please run this test
 * as root" (debugfs is mounted, mode 0700); ENOENT "mount debugfs at /sys/kernel/debug" when
 * the directory is missing (no CONFIG_DEBUG_FS), else "check if CONFIG_GUP_TEST is enabled in
 * kernel config" — for a user who is not root only when debugfs is not mounted (mounted, the
 * lookup fails with EACCES first: kernel-model/task.ts openSpecial()). The search's score
 * compares verdicts, not these words, so they are read here and applied to the chosen machine.
 */
import type { Environment } from '../../env.js';
import type { InferredFact } from '../../../reports/diff/types.js';
import type { ParsedRun } from '../../../reports/parse/types.js';

type Said = 'mounted' | 'no-debugfs' | 'enoent';

function said(run: ParsedRun): Said | null {
  let out: Said | null = null;
  for (const s of run.wrapper.stream?.siblings ?? []) {
    const m = s.message;
    if (m === null) continue;
    if (m.startsWith('Please run this test as root')) return 'mounted';
    if (m.startsWith('mount debugfs at')) out = 'no-debugfs';
    else if (m.startsWith('check if CONFIG_GUP_TEST is enabled')) out ??= 'enoent';
  }
  return out;
}

/** The chosen machine with what the gup_test programs' words say of debugfs. */
export function settleDebugfs(run: ParsedRun, e: Environment): Environment {
  const s = said(run);
  if (s === 'mounted' && !e.fs.debugfs) return { ...e, fs: { ...e.fs, debugfs: true } };
  if (s === 'no-debugfs' && (e.fs.debugfs || e.kernel.config.DEBUG_FS)) {
    return {
      ...e,
      fs: { ...e.fs, debugfs: false },
      kernel: { ...e.kernel, config: { ...e.kernel.config, DEBUG_FS: false } },
    };
  }
  // As root, ENOENT is as well no CONFIG_GUP_TEST, which the search decided (the rows tell).
  if (s === 'enoent' && !e.user.root && e.fs.debugfs)
    return { ...e, fs: { ...e.fs, debugfs: false } };
  return e;
}

/** The `debugfs` fact, when a gup_test program said something of it. */
export function debugfsFact(run: ParsedRun, e: Environment): InferredFact<boolean> | undefined {
  const s = said(run);
  if (s === null) return undefined;
  if (s === 'mounted')
    return {
      value: true,
      certainty: 'certain',
      because: 'gup_test: "Please run this test as root" (EACCES: debugfs mounted, 0700)',
    };
  if (s === 'no-debugfs')
    return {
      value: false,
      certainty: 'certain',
      because: 'gup_test: "mount debugfs at /sys/kernel/debug" (no CONFIG_DEBUG_FS)',
    };
  return e.user.root
    ? {
        value: e.fs.debugfs,
        certainty: 'guess',
        because:
          'gup_test: "check if CONFIG_GUP_TEST is enabled" as root: debugfs not mounted or no CONFIG_GUP_TEST',
      }
    : {
        value: false,
        certainty: 'certain',
        because:
          'gup_test: "check if CONFIG_GUP_TEST is enabled" as a user who is not root (ENOENT before EACCES: debugfs not mounted)',
      };
}
