/**
 * The selftest plug-ins' vocabularies (cases/selftests/*), compiled once for the parser: which
 * program names banners, runner headers, verdicts, prompts and shell errors may carry, the
 * containers the kselftest collection runs them in, their `[INFO]` fact lines by first
 * character, group headers, program lines, and where their typos glue lines together.
 * Everything else in reports/parse is the same for every selftest.
 */
import { PLUGINS, pluginOfProgram } from '../../cases/selftests/index.js';
import type { FactRule, SelftestPlugin } from '../../cases/selftests/plugin.js';
import type { SelftestName } from '../../cases/selftests/names.js';
import type { InfoFact } from './types.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PROGRAMS = PLUGINS.flatMap((p) => p.runners.programs);
/**
 * A program name as it may stand in a line: the long names anywhere (`./gup_longterm`,
 * `xgup_longterm`, as gupsim always read them), a short one (`cow`) only after a path or a
 * word boundary.
 */
const NAMES = PROGRAMS.map((p) => (p.length >= 8 ? escape(p) : `(?<![\\w-])${escape(p)}`)).join(
  '|',
);

/** The plug-in whose program a runner, banner or prompt names (`./cow` → cow). */
export function selftestOfProgram(program: string): SelftestName | null {
  return pluginOfProgram(program)?.name ?? null;
}

/** Wrapper verdict names: `gup_longterm`, `selftests: mm: gup_longterm`, `ok 7 cow`. */
const WRAPPER_VERDICT_NAME = new RegExp(
  `^(?:selftests: \\S+: )?(?:\\S*\\/)?(${PROGRAMS.map(escape).join('|')})$`,
);

/** The last characters of the programs' names: a verdict's description must end in one. */
const LAST_CHARS = new Set(PROGRAMS.map((p) => p.charCodeAt(p.length - 1)));

/** The program a runner's verdict line is about, when it is one of the selftests'. */
export function wrapperVerdictProgram(description: string): string | null {
  // Cheap first (every result line comes here): it ends with a program's name.
  if (!LAST_CHARS.has(description.charCodeAt(description.length - 1))) return null;
  for (let i = 0; i < PROGRAMS.length; i++) {
    if (description.endsWith(PROGRAMS[i]!)) return WRAPPER_VERDICT_NAME.exec(description)?.[1] ?? null;
  }
  return null;
}

/**
 * A shell prompt running a selftest: `# ./gup_longterm`, `$ ./pin_longterm`, `./gup_longterm`,
 * `./cow` (a short name needs its path: a bare `cow` line is not a prompt).
 */
const PROMPT_LINE = new RegExp(
  `^(?:[$#] ?)?((?:\\S*\\/)?(?:${PROGRAMS.filter((p) => p.length >= 8)
    .map(escape)
    .join('|')})|\\S*\\/(?:${PROGRAMS.filter((p) => p.length < 8)
    .map(escape)
    .join('|')}))\\s*$`,
);
/** Substrings every prompt line holds (`longterm`, `/cow`): plain searches before the regex. */
const PROMPT_HINTS = [...new Set(PROGRAMS.map((p) => (p.length >= 8 ? p.slice(-8) : `/${p}`)))];

export function promptProgram(body: string): string | null {
  for (let i = 0; i < PROMPT_HINTS.length; i++) {
    if (body.includes(PROMPT_HINTS[i]!)) return PROMPT_LINE.exec(body)?.[1] ?? null;
  }
  return null;
}

/** `sh: ./gup_longterm: not found`, `bash: ./cow: No such file or directory`. */
const COMMAND_NOT_FOUND = new RegExp(
  `(?:${NAMES}): (?:command not found|not found|No such file or directory)\\s*$`,
);
const EXEC_ERROR = new RegExp(`(?:${NAMES}): (?:Exec format error|Permission denied)`);
const NAMED = new RegExp(`(${NAMES})`);

export const infraPatterns = { COMMAND_NOT_FOUND, EXEC_ERROR };

/** Whether a line may name a selftest's binary (the markers' prefilter). */
export function mentionsProgram(text: string): boolean {
  return text.includes('longterm') || (text.includes('cow') && NAMED.test(text));
}

/** Which program an infrastructure message names, if any (`./gup_longterm: error while ...`). */
export function namedProgram(text: string): string | null {
  return NAMED.exec(text)?.[1] ?? null;
}

/**
 * Runner tests that run a selftest inside them (containers, not programs): run_vmtests.sh
 * itself, and 7.x's ksft_<category>.sh (`run_vmtests.sh -t <category>`).
 */
const CONTAINERS = new Set(['run_vmtests.sh', ...PLUGINS.map((p) => p.runners.ksftEntry)]);
export const isContainer = (name: string): boolean => CONTAINERS.has(name);

/** Whether a program run_vmtests.sh ran is a sibling of some selftest (`gup_test -u`). */
export function isSibling(program: string): boolean {
  return PLUGINS.some((p) => p.runners.siblings?.test(program) === true);
}

/** The sibling pattern of a selftest (its category's other programs), or null. */
export function siblingsOf(plugin: SelftestPlugin): RegExp | null {
  return plugin.runners.siblings;
}

// ---- [INFO] facts, group headers, program lines -------------------------------------------

/** Fact rules by their first character (one rule object once, though several tests share it). */
const FACTS_BY_CHAR = new Map<number, FactRule[]>();
for (const rule of new Set(PLUGINS.flatMap((p) => p.vocabulary.facts))) {
  const c = rule.first.charCodeAt(0);
  const list = FACTS_BY_CHAR.get(c) ?? [];
  list.push(rule);
  FACTS_BY_CHAR.set(c, list);
}

/** The fact a `# ` line carries, or null. `c0`: its first character code. */
export function infoFact(body: string, c0: number): InfoFact | null {
  const rules = FACTS_BY_CHAR.get(c0);
  if (rules === undefined) return null;
  for (const r of rules) {
    const m = r.pattern.exec(body);
    if (m) return r.fact(m);
  }
  return null;
}

const GROUP_HEADERS = new Set(PLUGINS.flatMap((p) => p.vocabulary.groupHeaders));
const GROUP_HEADER_LENGTHS = new Set([...GROUP_HEADERS].map((h) => h.length));
/** A `[RUN]` text that heads a group of sub-tests (cow's non-anonymous tests), not a sub-test. */
export const isGroupHeader = (name: string): boolean =>
  // Its length first: every [RUN] line comes here, and hashing the name costs more.
  GROUP_HEADER_LENGTHS.has(name.length) && GROUP_HEADERS.has(name);

/** Program-line rules by first character, with the index (PLUGINS) of their plug-in. */
const PROGRAM_LINES = new Map<number, { owner: number; pattern: RegExp }[]>();
PLUGINS.forEach((p, owner) => {
  for (const { first, pattern } of p.vocabulary.programLines) {
    const c = first.charCodeAt(0);
    const list = PROGRAM_LINES.get(c) ?? [];
    list.push({ owner, pattern });
    PROGRAM_LINES.set(c, list);
  }
});

/** Index of the plug-in (PLUGINS) whose program line this is, or -1. `c0`: its first character code. */
export function programLineOwner(body: string, c0: number): number {
  const rules = PROGRAM_LINES.get(c0);
  if (rules === undefined) return -1;
  for (const r of rules) if (r.pattern.test(body)) return r.owner;
  return -1;
}

/** Where some selftest's output continues a line without a newline (v6.15 gup_longterm's `(EINVAL)n`). */
export const GLUES: readonly { hint: string; at: RegExp }[] = PLUGINS.flatMap((p) =>
  p.vocabulary.glue ? [p.vocabulary.glue] : [],
);
/** Their hints, as plain strings (every line is searched for them). */
export const GLUE_HINTS: readonly string[] = GLUES.map((g) => g.hint);
