/**
 * Which exit statuses a runner's line allows for the program it reports on, asked of the
 * runners' own model (cases/runners/verdicts.ts): a line allows a status when the runner would
 * have printed that line for it. `[FAIL]` allows any status but 0 and 4; `not ok 4
 * gup_longterm # exit=1` allows 1; `not ok 4 gup_longterm` (no directive) any failing one.
 */
import type { KselftestRunnerEra } from '../../cases/runners/eras.js';
import {
  kselftestRunnerResult,
  runVmtestsResult,
  type RunnerResult,
} from '../../cases/runners/verdicts.js';
import { TIMEOUT_DIRECTIVE } from '../parse/patterns.js';
import type { WrapperVerdict } from '../parse/types.js';

export type Status = 'PASS' | 'FAIL' | 'SKIP';

/** A runner line's claim on the program's exit status. */
export type Allows = (exitCode: number) => boolean;

/** The keyword of a directive, upper-cased (`exit=1` stays as printed: its number matters). */
function normal(directive: string | null): string | null {
  if (directive === null || directive === '') return null;
  const d = directive.trim();
  return /^exit=/.test(d) ? d.split(/\s/)[0]! : (d.split(/\s/)[0] ?? '').toUpperCase();
}

function sameLine(printed: RunnerResult, v: WrapperVerdict): boolean {
  if (printed.ok !== v.ok) return false;
  const d = normal(v.directive);
  // `not ok N name` with its `# exit=N` cut off still says the program failed.
  if (d === null) return v.ok ? printed.directive === null : true;
  return normal(printed.directive) === d;
}

/** A timeout is the runner's, not the program's: infrastructure, triaged elsewhere. */
export function isTimeout(v: WrapperVerdict): boolean {
  return TIMEOUT_DIRECTIVE.test(v.directive ?? '');
}

/** Which runner printed a verdict line: the kselftest runner names `selftests: <suite>: <test>`. */
export function verdictAllows(v: WrapperVerdict, era: KselftestRunnerEra): Allows {
  if (v.name.startsWith('selftests:'))
    return (code) => sameLine(kselftestRunnerResult(code, era), v);
  return (code) => sameLine(runVmtestsResult(code), v);
}

export function statusAllows(status: Status): Allows {
  return (code) => runVmtestsResult(code).status === status;
}

/**
 * A runner's verdict as compared: `not ok gup_longterm # exit=1`. Its TAP number is left out —
 * it is the line's position in the runner's stream, not what the line says (a CI log of many
 * runs numbers the same verdict differently each time, and their diffs are one).
 */
export function verdictText(v: { ok: boolean; name: string; directive: string | null }): string {
  return `${v.ok ? 'ok' : 'not ok'} ${v.name}${v.directive === null || v.directive === '' ? '' : ` # ${v.directive}`}`;
}

/** The verdict the runner prints for `code` (for the report's "predicted" column). */
export function verdictLine(v: WrapperVerdict, code: number, era: KselftestRunnerEra): string {
  const r = v.name.startsWith('selftests:')
    ? kselftestRunnerResult(code, era)
    : runVmtestsResult(code);
  return verdictText({ ok: r.ok, name: v.name, directive: r.directive });
}

export function statusLine(code: number): string {
  return `[${runVmtestsResult(code).status}]`;
}

/** The first of `codes` a claim allows, if any. */
export function firstAllowed(allows: Allows, codes: readonly number[]): number | undefined {
  return codes.find((c) => allows(c));
}
