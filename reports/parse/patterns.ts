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

// ---- gup_longterm's own diagnostics (the body after the program's `# `) ---------------------

/** `[INFO] detected hugetlb page size: 2048 KiB` (v6.5+) / `... hugetlb size: ...` (prototype). */
export const HUGETLB_INFO = /^\[INFO\] detected (hugetlb size|hugetlb page size): (\d+) KiB\s*$/;
/** Version D: `detected 12 huge page sizes, will only test 10`. */
export const HUGETLB_LIMIT = /^detected \d+ huge page sizes, will only test \d+/;
/** `[RUN] <desc> ... with <variant>`: classify.ts tests the head with startsWith and trims the rest. */
export const RUN_PREFIX = '[RUN] ';
/** `Totals: pass:39 fail:1 xfail:0 xpass:0 skip:10 error:0` (xpass absent in old headers). */
export const TOTALS =
  /^Totals: pass:(\d+) fail:(\d+) xfail:(\d+)(?: xpass:(\d+))? skip:(\d+)(?: error:(\d+))?/;
/** `Planned tests != run tests (50 != 46)`. */
export const PLANNED_MISMATCH = /^Planned tests != run tests \((\d+) != (\d+)\)/;
/** v6.14+ kselftest.h: `22 skipped test(s) detected. Consider enabling ...`. */
export const SKIPPED_NOTICE = /^(\d+) skipped test\(s\) detected\./;
/** The v6.16+ EINVAL diagnostic whose `)n` typo glues it to the next line. */
export const EINVAL_DIAGNOSTIC = /^PIN_LONGTERM_TEST_START failed \(EINVAL\)n$/;
/**
 * The v6.15 `(EINVAL)n` typo (a lost backslash): the next output continues on the same line.
 * Split after the `n` when what follows is a TAP line or another diagnostic.
 */
export const EINVAL_GLUE = /\)n(?=(?:not )?ok \d|# |#$|Bail out!|TAP version )/;

// ---- wording fingerprints (era hints) -------------------------------------------------------

export const PROTOTYPE_RESULT = /^Pinning (?:succeeded|failed) as expected$/;
export const PROTOTYPE_IOURING = /^iouring fixed buffer /;
export const SHOULD_HAVE = /^Should have (?:worked|failed)$/;
/** A reason with a v6.15 errno suffix: `ftruncate() failed (No such file or directory)`. */
export const ERRNO_SUFFIXED_REASON =
  /^(?:[a-z_]+\(\) failed|Should have failed|PIN_LONGTERM_TEST_START failed) \([^()]+\)n?$/;
export const DODGY_FS_SKIP = /failed with ENOENT\. Filesystem might be buggy \(9pfs\?\)/;
/** Reason texts of v6.5–v6.14 (no errno). */
export const PLAIN_REASON =
  /^(?:(?:memfd_create|tmpfile|fileno|mkstemp|unlink|ftruncate|fallocate|mmap|mprotect|io_uring_queue_init|io_uring_register_buffers)\(\) failed|PIN_LONGTERM_TEST_START failed|need more free huge pages|gup_test not available|Unknown filesystem)$/;

// ---- wrappers ------------------------------------------------------------------------------

/** run_vmtests.sh banner title: `running ./gup_longterm`, `running ./gup_test -u`. */
export const VMTESTS_BANNER = /^running (\S+)(.*)$/;
/** run_vmtests.sh (pre-TAP and TAP) per-test status. */
export const VMTESTS_STATUS = /^\[(PASS|FAIL|SKIP)\]\s*$/;
/** run_vmtests.sh skipping a test it could not run: `SKIP ./on-fault-limit`. */
export const VMTESTS_SKIP_LINE = /^SKIP \S+$/;
/** run_vmtests.sh's last line: `SUMMARY: PASS=3 SKIP=0 FAIL=1`. */
export const VMTESTS_SUMMARY = /^SUMMARY: PASS=(\d+) SKIP=(\d+) FAIL=(\d+)/;
/** kselftest runner header: `selftests: mm: gup_longterm`. */
export const RUNNER_HEADER = /^selftests: (\S+): (\S+)\s*$/;
/** The runner's verdict name on a test: `selftests: mm: ksft_gup_test.sh`. */
export const RUNNER_VERDICT_NAME = /^selftests: \S+: (\S+)$/;
/**
 * Runner tests that run gup_longterm inside them (containers, not other programs):
 * run_vmtests.sh itself, and 7.x's ksft_gup_test.sh (`run_vmtests.sh -t gup_test`).
 */
export const CONTAINER_SCRIPT = /^(?:run_vmtests\.sh|ksft_gup_test\.sh)$/;
/** kselftest runner: `timeout set to 180`, `overriding timeout to 900`. */
export const RUNNER_TIMEOUT = /^(?:timeout set to|overriding timeout to) (\d+)\s*$/;
/** gup_longterm's siblings in run_vmtests' gup_test category: `gup_test -u`, `./gup_test -ct …`. */
export const GUP_TEST_PROGRAM = /^(?:\S*\/)?gup_test$/;
/** The program names this parser reports on. */
export const GUP_PROGRAM = /^(?:\S*\/)?(gup_longterm|pin_longterm)$/;
/** Wrapper verdict names: `gup_longterm`, `selftests: mm: gup_longterm`. */
export const WRAPPER_VERDICT_NAME = /^(?:selftests: \S+: )?(?:\S*\/)?(gup_longterm|pin_longterm)$/;
/** A shell prompt running the binary: `# ./gup_longterm`, `$ ./pin_longterm`, `./gup_longterm`. */
export const PROMPT_LINE = /^(?:[$#] ?)?((?:\S*\/)?(?:gup_longterm|pin_longterm))\s*$/;

// ---- infrastructure and crash markers (matched anywhere in a line) --------------------------

export const LOADER_ERROR = /error while loading shared libraries/;
/** `sh: ./gup_longterm: not found`, `bash: ./gup_longterm: No such file or directory`. */
export const COMMAND_NOT_FOUND =
  /(?:gup_longterm|pin_longterm): (?:command not found|not found|No such file or directory)\s*$/;
export const EXEC_ERROR = /(?:gup_longterm|pin_longterm): (?:Exec format error|Permission denied)/;

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
