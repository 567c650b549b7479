/**
 * A selftest as a plug-in: everything gupsim knows about one test program, for both flows.
 *
 *   run side    its versions (a program per era, chosen by the tree the binary was built from)
 *               and the names runners give it
 *   read side   its stable-id scheme, the vocabulary the log parser needs (the `[INFO]` lines
 *               it prints and the machine facts they carry, its group headers, the lines that
 *               name it, the wordings that date its eras), identify (wording → candidate
 *               trees), its inference (what the log says straight out, and the unknowns a
 *               search must vary), its known defects, its scenario links and export names
 *
 * reports/ (parse, diff, store, formats, history) is generic and asks the plug-in of a run for
 * what is test-specific; cases/selftests/index.ts is the registry. Adding a selftest is adding
 * a folder with one of these (see the README, "A selftest is a plug-in").
 */
import type { Environment } from '../env.js';
import type { Scenario } from '../scenarios/scenario.js';
import type { SubtestRecord } from '../subtest-recorder.js';
import type { SelftestBuild, SelftestVersion } from './build.js';
import type { SelftestName } from './names.js';
import type { InfoFact, ObservedSubtest, ParsedRun, RunFacts } from '../../reports/parse/types.js';
import type { InferredEnvironment, InferredFact } from '../../reports/diff/types.js';
import type { Dimension, DimensionOption } from '../../reports/diff/infer-dimensions.js';
import type { Chosen } from '../../reports/diff/infer-search.js';

export interface SelftestPlugin {
  readonly name: SelftestName;
  /** Every version gupsim runs (`gupsim versions`), oldest first. */
  readonly versions: readonly SelftestVersion[];
  /** The binary a `selftest.tree` builds, or why that tree has none gupsim runs. */
  build(tree: string): SelftestBuild | { error: string };
  readonly ids: SubtestIds;
  readonly runners: RunnerNames;
  readonly vocabulary: Vocabulary;
  /** Which version printed a run: candidate trees from its wording, most likely first. */
  identify(run: ParsedRun): SelftestGuess;
  readonly inference: SelftestInference;
  readonly defects: KnownDefects;
  /** The scenario a sub-test is a check of, whatever its trace cites (`gupsim explain`). */
  scenarioFor(id: string): Scenario | undefined;
  /** The scenario options that match a sub-test's memory (` --backing anonymous`), or ''. */
  scenarioArgs(id: string, scenario: Scenario): string;
  readonly exports: ExportNames;
}

/** Stable sub-test ids: from what is tested, never from a wording or a TAP number. */
export interface SubtestIds {
  /** The id shapes, for help texts. */
  readonly shapes: string;
  /** Whether `id` is one of this test's (the schemes of the registered tests are disjoint). */
  owns(id: string): boolean;
  /**
   * The id of a `[RUN]` name in any wording the test has used, or undefined. `pmdKiB`: the PMD
   * size the run printed, for names of eras that gave THP backings no size (cow before v6.8).
   */
  fromRunName(name: string, pmdKiB: number): string | undefined;
  /** A `[RUN]` name cut short (a console message glued into it) is the start of one of the test's names. */
  isRunNameStart(name: string): boolean;
  /** Ids from plan positions, for results without a name; null when the test offers none. */
  readonly positions: PositionIds | null;
  /**
   * Whether sub-tests with these ids all run before the program first reaches io_uring: a
   * prediction read only for their records needs no io_uring setting (cases/prediction-key.ts).
   */
  precedeIoUring(ids: readonly string[]): boolean;
}

export interface PositionIds {
  /** Whether the run's facts fix the plan's order (the sizes it printed, or a plan that shows none). */
  known(facts: RunFacts, tapVersion: boolean, plan: number | null): boolean;
  /** The id of the `number`-th result (1-based), or null. */
  at(number: number, facts: RunFacts, plan: number | null): string | null;
  /** Whether a cut `[RUN]` name is the start of the `number`-th sub-test's name. */
  fits(cut: string, number: number, facts: RunFacts): boolean;
}

/** The names runners give the test. */
export interface RunnerNames {
  /** Its binaries, as banners, runner headers, verdicts, prompts and shell errors name them. */
  readonly programs: readonly string[];
  /** `run_vmtests.sh -t <category>`. */
  readonly vmtestsCategory: string;
  /** The 7.x kselftest collection's entry for that category (`selftests: mm: ksft_<x>.sh`). */
  readonly ksftEntry: string;
  /** Programs of its category run_vmtests.sh runs before it (banner command names), if any. */
  readonly siblings: RegExp | null;
}

/** A `# ` line before the tests that carries a machine fact (`[INFO] detected PMD size: 2048 KiB`). */
export interface FactRule {
  /** The line's first character (the parser dispatches on it before any regex). */
  readonly first: string;
  readonly pattern: RegExp;
  fact(m: RegExpExecArray): InfoFact;
}

/** What the log parser needs to know of the test's output. */
export interface Vocabulary {
  readonly facts: readonly FactRule[];
  /** `[RUN]` texts that head a group of sub-tests and are none themselves. */
  readonly groupHeaders: readonly string[];
  /** Lines at the program's own level (no `# `) that only this test prints: they name it. */
  readonly programLines: readonly { first: string; pattern: RegExp }[];
  /**
   * Whether a result line's description (or its directive's text: a SKIP reason) is one only
   * this test prints: it names the test when no `[RUN]` line does.
   */
  namesTest(description: string, directive: string): boolean;
  /** Whether a `Bail out!` text is one only this test prints (it names the test). */
  namesBailout(text: string): boolean;
  /** The era hints a finished sub-test's result line gives (the era names are the plug-in's). */
  eraHints(s: ObservedSubtest, eras: EraNotes): void;
  /** The era a diagnostic line of a run shows by itself, or null. */
  diagnosticEra(text: string): string | null;
  /** The era a fact line's wording shows (`detected hugetlb size`: gup_longterm's prototype), or null. */
  factEra(fact: InfoFact): string | null;
  /**
   * Where this test's output continues a line without a newline (a typo): the split point
   * (`at`, matched at the end of the first line) and a substring every such line holds (`hint`,
   * searched first); null for none.
   */
  readonly glue: { hint: string; at: RegExp } | null;
}

/** A run's era hints so far, for one plug-in: the first evidence of each era is kept. */
export interface EraNotes {
  note(era: string): void;
  has(era: string): boolean;
}

export interface SelftestGuess {
  /** Candidate trees, preferred first. */
  trees: string[];
  fact: InferredFact<string>;
}

/**
 * Finding a log's environment: the facts the log says straight out, a starting machine built
 * from them, and the unknowns the search varies (reports/diff/infer.ts runs it).
 */
export interface SelftestInference {
  plan(run: ParsedRun, guess: SelftestGuess): InferencePlan | { error: string };
  /** The inferred facts, worded, once the search settled on `env`. */
  describe(
    run: ParsedRun,
    plan: InferencePlan,
    env: Environment,
    chosen: Chosen,
  ): InferredEnvironment;
  /**
   * The chosen machine with facts the log states in words the search's score does not compare
   * (gup_test's reasons: debugfs), which change no compared line. Absent: nothing to add.
   */
  settle?(run: ParsedRun, env: Environment): Environment;
}

export interface InferencePlan {
  guess: SelftestGuess;
  /** The most ordinary machine with everything the log says set. */
  start: Environment;
  /** A better first candidate to descend from, if any (the prototype's mm-unstable kernel). */
  firstStart?: Environment;
  /** The unknowns, in the order a descent varies them (the kernel last). */
  dims: Dimension[];
  /** The kernels a search starts from, and the kernel dimension's options. */
  kernelOptions(tree: string): DimensionOption[];
  /**
   * A start that reproduces the whole log ends the search at once: the log said enough, and
   * trying each other value of each dimension (to say which ones fit as well) is not worth
   * its predictions. describe() then words the facts from the log.
   */
  trustPerfectStart: boolean;
  /** Facts read straight off the log, worded (describe() reports them). */
  read: Record<string, InferredFact<unknown>>;
}

/** What the test gets wrong, and how its results are to be read. */
export interface KnownDefects {
  /** Skip reasons that are facts about the machine (pools, debugfs, swap, THP, io_uring set-up). */
  readonly environmentSkip: RegExp;
  /** Whether a sub-test's pass or fail is the kernel's decision: a flip from the model is a kernel regression. */
  kernelDecides(id: string): boolean;
  /** A known defect of the test behind a result the model predicts as it is, worded; undefined for none. */
  testBug(o: ObservedSubtest, p: SubtestRecord, selftest: string): string | undefined;
  /**
   * An excerpt of counters alone, reproduced by a prediction in which results are missing:
   * the known defect that drops them, worded; undefined when the test has none.
   */
  missingResults(
    predictedMissing: number,
    mm: { planned: number; run: number } | null,
    env: Environment,
  ): string | undefined;
}

/** How exports name the test. */
export interface ExportNames {
  /** KCIDB suite path and JUnit class name: `kselftest.mm.<test>`. */
  readonly suite: string;
  /** A stable id below the suite (cow's ids lose their `cow/`). */
  localId(id: string): string;
}
