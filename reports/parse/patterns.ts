/**
 * Every regular expression the parser uses, named, in one place (the kunit_parser.py style).
 *
 * All patterns are anchored and free of nested quantifiers, so each runs in time linear in the
 * (capped) line length: no input can make them backtrack catastrophically.
 */

// ---- transport prefixes (added by whoever copied the log, not by any kernel program) -------

/** dmesg / serial console timestamp: `[   12.345678] `. */
export const DMESG_TIMESTAMP = /^\[ *\d+\.\d+\] ?/;
/** The same timestamp somewhere inside a line: a kernel message glued into program output. */
export const EMBEDDED_DMESG_TIMESTAMP = /\[ *\d+\.\d{3,}\] /;
/** LAVA log clock: `07:05:40.369554  ` (hh:mm:ss[.frac] then whitespace). */
export const LAVA_CLOCK = /^\d{2}:\d{2}:\d{2}(?:\.\d+)? +/;
/** ISO-8601 timestamps as prefixed by CI log collectors. */
export const ISO_CLOCK =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})? +/;
/** Line-number gutters copied from web log viewers: `123 | `, `#L123 `, `L123: `. */
export const LINE_NUMBER_GUTTER = /^(?:#?L\d+:? +|\d+ ?[|:] ?)/;
/** Mail quoting: `> `, `>> `, `> > `. */
export const MAIL_QUOTE = /^>+ ?/;
/** Mail or commit-message indentation. */
export const LEADING_WHITESPACE = /^[\t ]+/;

// ---- TAP / KTAP lines (after wrapper `# ` levels were counted) -----------------------------

/** `TAP version 13`, `KTAP version 1`. */
export const TAP_VERSION = /^K?TAP version (\d+)\s*$/i;
/** `1..50` (kselftest prints no plan comment, but KTAP allows one). */
export const TAP_PLAN = /^(\d+)\.\.(\d+)(?:\s+#.*)?\s*$/;
/** `ok 3 Should have worked`, `not ok 39 <name>`, `ok 4 # SKIP reason`, `ok 5` (no text). */
export const TAP_RESULT = /^(not )?ok (\d+)(?: -)?(?: (.*))?$/;
/** `Bail out! 1 out of 50 tests failed` (kselftest writes it with no `# `). */
export const TAP_BAILOUT = /^Bail out!\s?(.*)$/i;
/**
 * A directive inside a result's text. kselftest writes `# SKIP`, `# XFAIL`, `# XPASS`,
 * `# error` right after the number (empty description), runners write `# exit=1`,
 * `# TIMEOUT 45 seconds`. Only a `#` at the start or after whitespace starts one (TAP rule).
 */
export const DIRECTIVE_SPLIT = /(?:^|\s)#(?:\s|$)/;
export const DIRECTIVE_KEYWORD = /^(SKIP|TODO|XFAIL|XPASS|ERROR|TIMEOUT)\b[:\s]*(.*)$/i;
export const EXIT_DIRECTIVE = /^exit=(-?\d+)\b/;
export const TIMEOUT_DIRECTIVE = /^TIMEOUT(?:\s+(\d+)\s*seconds?)?/i;

// ---- kselftest.h's own lines (the body after the program's `# `) ----------------------------
// A selftest's own lines ([INFO] facts, result texts, typos) are its plug-in's vocabulary:
// cases/selftests/<test>/vocabulary.ts, compiled for the parser in ./selftests.ts.

/** `[RUN] <desc> ... with <variant>`: classify.ts tests the head with startsWith and trims the rest. */
export const RUN_PREFIX = '[RUN] ';
/** `Totals: pass:39 fail:1 xfail:0 xpass:0 skip:10 error:0` (xpass absent in old headers). */
export const TOTALS =
  /^Totals: pass:(\d+) fail:(\d+) xfail:(\d+)(?: xpass:(\d+))? skip:(\d+)(?: error:(\d+))?/;
/** `Planned tests != run tests (50 != 46)`. */
export const PLANNED_MISMATCH = /^Planned tests != run tests \((\d+) != (\d+)\)/;
/** v6.14+ kselftest.h: `22 skipped test(s) detected. Consider enabling ...`. */
export const SKIPPED_NOTICE = /^(\d+) skipped test\(s\) detected\./;

// ---- wrappers ------------------------------------------------------------------------------

/** run_vmtests.sh banner title: `running ./gup_longterm`, `running ./gup_test -u`, `running ./cow`. */
export const VMTESTS_BANNER = /^running (\S+)(.*)$/;
/** run_vmtests.sh (pre-TAP and TAP) per-test status. */
export const VMTESTS_STATUS = /^\[(PASS|FAIL|SKIP)\]\s*$/;
/** run_vmtests.sh skipping a test it could not run: `SKIP ./on-fault-limit`. */
export const VMTESTS_SKIP_LINE = /^SKIP \S+$/;
/** run_vmtests.sh's last line: `SUMMARY: PASS=3 SKIP=0 FAIL=1`. */
export const VMTESTS_SUMMARY = /^SUMMARY: PASS=(\d+) SKIP=(\d+) FAIL=(\d+)/;
/** kselftest runner header: `selftests: mm: gup_longterm`, `selftests: mm: ksft_cow.sh`. */
export const RUNNER_HEADER = /^selftests: (\S+): (\S+)\s*$/;
/** The runner's verdict name on a test: `selftests: mm: ksft_gup_test.sh`. */
export const RUNNER_VERDICT_NAME = /^selftests: \S+: (\S+)$/;
/** kselftest runner: `timeout set to 180`, `overriding timeout to 900`. */
export const RUNNER_TIMEOUT = /^(?:timeout set to|overriding timeout to) (\d+)\s*$/;

// ---- infrastructure and crash markers (matched anywhere in a line) --------------------------

export const LOADER_ERROR = /error while loading shared libraries/;
// `sh: ./gup_longterm: not found`, `./cow: Exec format error`: ./selftests.ts (the programs' names).

export const CRASH_MARKERS: ReadonlyArray<readonly [RegExp, import('./types.js').CrashKind]> = [
  [/Kernel panic/, 'panic'],
  [/\bOops\b/, 'oops'],
  [/Unable to handle kernel/, 'unable-to-handle'],
  [/general protection fault/, 'general-protection'],
  [/\bBUG:|kernel BUG at /, 'bug'],
  [/Call [Tt]race:/, 'call-trace'],
  [/\bRIP: /, 'rip'],
  [/Segmentation fault/, 'segfault'],
];
