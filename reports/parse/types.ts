/**
 * The data the parser hands to identify/diff/triage. Everything is plain JSON-able data:
 * the diff compares each ObservedSubtest with a prediction keyed by the same stable id
 * (each selftest's scheme: cases/selftests/<test>/ids.ts), so ids, verdicts and line numbers are first-class; raw text is kept so a
 * report can quote the log.
 */
import type { SelftestName } from '../../cases/selftests/names.js';
import type { KselftestCounters, Verdict, VerdictCounts } from './verdict.js';

/** A line of the input kept verbatim (after transport prefixes and wrapper `# ` were removed). */
export interface LineRef {
  /** 1-based physical line number in the input. Fragments of one glued line share it. */
  line: number;
  text: string;
}

/** A parse error or oddity. Errors are data: the parser never throws. */
export interface ParseIssue {
  line: number | null;
  code: ParseIssueCode;
  message: string;
}

export type ParseIssueCode =
  | 'overlong-line' // a line beyond MAX_LINE_CHARS; only its head was parsed
  | 'lava-record' // a line of a LAVA log.yaml that is not a record (or a target record without text)
  | 'unexpected-number' // result number is not previous + 1 (kunit: "Expected test number X but found Y")
  | 'result-after-plan-end' // more results than planned
  | 'duplicate-id' // two sub-tests of one run map to the same stable id
  | 'unknown-run-name' // a [RUN] name no selftest's id scheme maps
  | 'ended-early' // results + missing < plan and the program printed no trailer
  | 'missing-result' // a [RUN] line with no result line
  | 'totals-mismatch' // the `# Totals:` counters disagree with the results we read
  | 'glued-line' // a line split because output was glued without a newline
  | 'dropped-lines' // keep-caps reached; counts are in the owning object
  | 'read-error' // the line source itself failed (unreadable file)
  | 'weak-run'; // a run kept only because nothing better identified a selftest in the log

/**
 * Which output wording the selftest used; several may be present in one run. The names are
 * the test's plug-in's (e.g. gup_longterm's `v6.15`, cow's `unique-names`), plus kselftest.h's
 * own `kselftest-v6.14+` ("# N skipped test(s) detected ..." in the counter block).
 */
export type Era = string;

export interface EraHint {
  era: Era;
  /** The first line that showed it. */
  evidence: LineRef;
}

/** The kselftest `# Totals:` counters as printed, and where. */
export interface Totals extends KselftestCounters {
  line: number;
}

export type WrapperKind =
  | 'none' // the program's own stdout
  | 'kselftest-runner' // run directly by runner.sh (v6.5: `# selftests: mm: gup_longterm`)
  | 'run_vmtests-tap' // run_vmtests.sh v6.8+ (and 6.6.y): `# running ./gup_longterm`, `ok N gup_longterm`
  | 'run_vmtests-pre-tap' // run_vmtests.sh v6.5-v6.7: `running ./gup_longterm`, `[PASS]`
  | 'unknown-nested'; // `# `-nested program output with no wrapper line in the excerpt

/** The wrapper verdict line, e.g. `not ok 13 gup_longterm # exit=1`. */
export interface WrapperVerdict {
  ok: boolean;
  number: number;
  name: string;
  /** Directive text after ` # `, e.g. `exit=1`, `SKIP`, `TIMEOUT 180 seconds`. */
  directive: string | null;
  line: number;
  text: string;
}

export interface WrapperInfo {
  kind: WrapperKind;
  /** run_vmtests.sh itself run by the kselftest runner (an extra `# ` level). */
  underKselftestRunner: boolean;
  /** How many wrapper `# ` prefixes stand before the program's own TAP lines. */
  nesting: number;
  /** `running ./gup_longterm` or `selftests: mm: gup_longterm`. */
  banner: LineRef | null;
  /** run_vmtests' `[PASS]` / `[FAIL]` / `[SKIP]`. */
  status: { status: 'PASS' | 'FAIL' | 'SKIP'; line: number } | null;
  verdict: WrapperVerdict | null;
  /** From `# exit=N` (the runners print it only for failures), else null. */
  exitCode: number | null;
  /** runner.sh `# timeout set to N` seen before the banner. */
  timeoutSetTo: number | null;
  /** The wrapper reported a timeout (`# TIMEOUT N seconds`); seconds null when not printed. */
  timedOut: { seconds: number | null; line: number } | null;
  /**
   * The run_vmtests.sh stream the run's program ran in (a `running ./gup_longterm` banner): the
   * programs of its category that ran before it (gup_longterm's gup_test siblings), what each
   * program of the stream's status was, and the script's closing `SUMMARY:` line. Null for a
   * run no banner opened.
   */
  stream: RunnerStream | null;
  /**
   * The kselftest runner's own counter line after its verdict (ktap_helpers.sh, 7.x runners:
   * `# Totals: pass:1 fail:0 …`), for the test that ran the program (itself or its container).
   */
  runnerTotals: Totals | null;
  /**
   * The script the kselftest runner ran around run_vmtests.sh (7.x `ksft_gup_test.sh`, or
   * `run_vmtests.sh` itself), when the log shows its header: its `# timeout set to N` and its
   * verdict belong to this run too. A TIMEOUT verdict on a run that did not finish is copied
   * to `timedOut` (and to the run's infrastructure markers).
   */
  container: ContainerInfo | null;
}

/**
 * A program run_vmtests.sh ran beside gup_longterm in its gup_test category (`gup_test -u`,
 * `-a`, `-ct …`; 7.x `-u -n 1`, …): its runner lines and what its own TAP output said.
 */
export interface SiblingProgram {
  /** The command as its banner printed it, e.g. `./gup_test -u -n 1`. */
  command: string;
  /** The banner line. */
  line: number;
  /** run_vmtests' `[PASS]` / `[FAIL]` / `[SKIP]` for it. */
  status: 'PASS' | 'FAIL' | 'SKIP' | null;
  /** run_vmtests' TAP line for it (v6.8+): `ok 1 gup_test -u`, `not ok 2 gup_test -a # exit=1`. */
  verdict: WrapperVerdict | null;
  /** Its own result lines, counted by verdict. */
  counts: KselftestCounters;
  /** Its own `Bail out!` text, if it printed one. */
  bailout: string | null;
  /**
   * Its first diagnostic line (gup_test's reason for skipping: `Please run this test as
   * root`, `check if CONFIG_GUP_TEST is enabled in kernel config`, `mount debugfs at …`).
   */
  message: string | null;
}

/** What the run_vmtests.sh stream around a run showed (WrapperInfo.stream). */
export interface RunnerStream {
  /** gup_test programs of the category, in order (capped; `droppedSiblings` counts the rest). */
  siblings: SiblingProgram[];
  droppedSiblings: number;
  /** Programs of the stream by status (the run's own and every other program); `none` shows none. */
  statuses: { pass: number; skip: number; fail: number; none: number };
  /** Programs of other categories seen in the stream (a whole run_vmtests.sh run). */
  others: number;
  /** `SUMMARY: PASS=… SKIP=… FAIL=…`, which ends the stream. */
  summary: { pass: number; skip: number; fail: number; line: number; text: string } | null;
}

/** A kselftest-runner test that runs a selftest inside it (`selftests: mm: ksft_gup_test.sh`, `ksft_cow.sh`). */
export interface ContainerInfo {
  /** `ksft_gup_test.sh`, `run_vmtests.sh`. */
  name: string;
  header: LineRef;
  timeoutSetTo: number | null;
  /** The runner's verdict on the container, e.g. `not ok 1 selftests: mm: ksft_gup_test.sh # TIMEOUT 900 seconds`. */
  verdict: WrapperVerdict | null;
}

export type CrashKind =
  | 'oops'
  | 'bug'
  | 'panic'
  | 'unable-to-handle'
  | 'call-trace'
  | 'rip'
  | 'segfault'
  | 'general-protection'
  | 'ended-before-plan';

export interface CrashMarker {
  kind: CrashKind;
  line: number;
  text: string;
  /** Ordinal (1-based, into ParsedRun.subtests) of the sub-test running when it appeared. */
  duringSubtest: number | null;
}

export type InfraKind =
  'loader-error' | 'exit-127' | 'command-not-found' | 'timeout' | 'exec-error';

/** The binary did not (fully) run for reasons outside the kernel under test. */
export interface InfraFailure {
  kind: InfraKind;
  line: number;
  text: string;
}

export type IdSource = 'run-line' | 'result-name' | 'plan-position';

export interface ResultDirective {
  /** Upper-cased keyword: SKIP, TODO, XFAIL, XPASS, ERROR, TIMEOUT; null for unrecognised text. */
  kind: string | null;
  /** Text after the keyword (the skip reason), or the whole unrecognised directive. */
  text: string;
}

/** One sub-test as observed in the log. */
export interface ObservedSubtest {
  /** Stable id (its selftest's scheme), or null when neither names nor the plan position tell it. */
  id: string | null;
  idSource: IdSource | null;
  /** 1-based position among this run's sub-tests, including 'missing' ones. */
  ordinal: number;
  /** The TAP number printed on the result line; null for 'missing'. */
  number: number | null;
  /** Text after `# [RUN] `, or null for excerpts without [RUN] lines. */
  runName: string | null;
  runLine: number | null;
  /** The result line without wrapper prefixes, e.g. `ok 4 # SKIP need more free huge pages`. */
  resultText: string | null;
  /** 1-based line number of the result line (of the [RUN] line for 'missing'). */
  line: number;
  /**
   * Ordinal of this sub-test's first result line when this is another one for the same
   * sub-test (same stable id, or same number when ids are unknown): a repeat, or a conflict
   * when the results differ. Null for a first (or only) result.
   */
  repeatOf: number | null;
  /** The description between the number and ` # ` (a reason before v6.16, the name after). */
  description: string | null;
  directive: ResultDirective | null;
  /**
   * The reason as the test worded it: the skip/directive text, the description when it is
   * not the test name (pre-v6.16), else the last diagnostic (v6.16+), else null.
   */
  reason: string | null;
  verdict: Verdict;
  /** `# ` lines (without the `# `) between the [RUN] line and the result. */
  diagnostics: LineRef[];
  /** Unknown lines (kernel messages, console noise) seen while this sub-test ran. */
  interleaved: LineRef[];
}

/** What identified a run as its selftest's. */
export type RunEvidence =
  | 'wrapper' // a banner/header/verdict naming the program (gup_longterm, pin_longterm, cow)
  | 'prompt' // a shell-prompt line `# ./gup_longterm`
  | 'run-lines' // [RUN] names that map to stable ids
  | 'result-text' // result lines whose text only that test prints
  | 'program-line' // a line only that test prints at its own level (cow 6.12's `open(<path>)`)
  | 'weak'; // kselftest trailer or TAP only, in a log with nothing better

/**
 * A machine fact a `# ` line before the tests carries (each plug-in's vocabulary names its
 * lines: cases/selftests/<test>/vocabulary.ts).
 */
export type InfoFact =
  | { kind: 'hugetlb-size'; sizeKiB: number; wording: 'hugetlb size' | 'hugetlb page size' }
  | { kind: 'pmd-size'; sizeKiB: number }
  | { kind: 'thp-size'; sizeKiB: number }
  | { kind: 'huge-zeropage' }
  /** A line of the test's set-up that carries no fact (`detected 12 huge page sizes, will only test 10`). */
  | { kind: 'note' };

/** What a run's `[INFO]` lines said about the machine, in one typed place for every selftest. */
export interface RunFacts {
  /** `[INFO] detected hugetlb (page) size: N KiB`, in printed order. */
  hugetlbSizesKiB: number[];
  /** Which wording: 'hugetlb size' (prototype, cow before v6.5) or 'hugetlb page size'. */
  hugetlbWording: 'hugetlb size' | 'hugetlb page size' | null;
  /** `[INFO] detected PMD size: N KiB` (cow v6.8+): THP is compiled in. */
  pmdSizeKiB: number | null;
  /** `[INFO] detected THP size: N KiB`, in printed order (cow: each mTHP size from v6.8; the PMD size before). */
  thpSizesKiB: number[];
  /** `[INFO] huge zeropage is enabled` (cow until the detection moved to vm_util). */
  hugeZeropage: boolean;
  /** A detection line came before `TAP version 13` (cow before a6fcd57cf2df, v6.7). */
  infoBeforeHeader: boolean;
}

export interface ParsedRun {
  /** 0-based index among the runs returned. */
  index: number;
  /**
   * The selftest the run is of: named by its runner, prompt, `[RUN]` wording, result texts or
   * program lines (cases/selftests/index.ts); gup_longterm when nothing names one (a weak run).
   */
  test: SelftestName;
  /** `gup_longterm`, `pin_longterm` (the prototype), `cow`, or null when no name was printed. */
  program: string | null;
  evidence: RunEvidence;
  startLine: number;
  endLine: number;
  /** Wrapper `# ` levels before the program's TAP lines (0 for a bare run). */
  depth: number;
  tapVersion: { version: number; line: number } | null;
  plan: { count: number; line: number } | null;
  /** The machine facts its `[INFO]` lines gave. */
  facts: RunFacts;
  subtests: ObservedSubtest[];
  /** The program's first `Bail out!` line; `bailouts` has every one, in order. */
  bailout: LineRef | null;
  bailouts: LineRef[];
  /** The program's first `# Totals:` line; `totalsLines` has every one, in order. */
  totals: Totals | null;
  totalsLines: Totals[];
  /** `# Planned tests != run tests (a != b)`. */
  plannedMismatch: { planned: number; run: number; line: number } | null;
  /** v6.14+ `# N skipped test(s) detected. ...`. */
  skippedNotice: { count: number; line: number } | null;
  /** Our own tally of the sub-test verdicts (every result line, repeats included). */
  counts: VerdictCounts;
  /** Result lines that are another result for a sub-test already reported (repeatOf set). */
  repeats: number;
  /** Most severe sub-test verdict (see VERDICT_PRIORITY), null with no sub-tests. */
  worst: Verdict | null;
  wrapper: WrapperInfo;
  eras: EraHint[];
  crashes: CrashMarker[];
  infrastructure: InfraFailure[];
  /** The plan is known and fewer results arrived, with no trailer from the program. */
  endedEarly: boolean;
  /** `# ` lines of the run not inside a sub-test (the [INFO] lines, prompts, trailers' neighbours). */
  diagnostics: LineRef[];
  /** Lines that are neither TAP nor diagnostics of this run: kept, never change a result. */
  unknownLines: LineRef[];
  /** Lines at the program's own level that its plug-in names as its own (cow 6.12's `open(<path>)` exit). */
  programLines: LineRef[];
  droppedLines: number;
  issues: ParseIssue[];
}

/** Another program's output recognised and skipped (gup_test, ksm_tests, ... in a wrapped log). */
export interface OtherProgram {
  name: string;
  startLine: number;
  endLine: number;
}

export interface TransportFacts {
  crlf: boolean;
  /** Lines indented by a tab or spaces (mail, commit messages). */
  indented: boolean;
  /** `> ` mail quoting. */
  quoted: boolean;
  /** dmesg `[ 12.345678] ` or LAVA/ISO clock prefixes. */
  timestamps: boolean;
  /** `12 | ` style line-number gutters (copied from web log viewers). */
  lineNumbers: boolean;
  /** A LAVA job log (log.yaml, lava.ts): the console is its `target` records; line numbers are record numbers. */
  lava: boolean;
}

export interface ParseStats {
  /** Physical lines read. */
  lines: number;
  /** Fragments handled (lines split at glue points count more than once). */
  fragments: number;
  /**
   * Elementary steps taken (prefix strips, classifications, state transitions). The property
   * tests bound it by a constant times lines + characters/64, which is how "linear" is checked.
   */
  work: number;
  chars: number;
  /** Selftest runs reported (handed to the onRun callback, or in ParsedLog.runs). */
  runs: number;
}

export interface ParsedLog {
  /** Every run, in log order; empty when the runs were streamed to an `onRun` callback. */
  runs: ParsedRun[];
  /** Log-level parse issues (run-level ones live in ParsedRun.issues). */
  errors: ParseIssue[];
  /** Unknown lines outside any run (capped at MAX_KEPT_LINES; see droppedUnknownLines). */
  unknownLines: LineRef[];
  droppedUnknownLines: number;
  /** Crash markers and infrastructure failures outside any selftest run. */
  crashes: CrashMarker[];
  infrastructure: InfraFailure[];
  otherPrograms: OtherProgram[];
  transport: TransportFacts;
  stats: ParseStats;
}
