/**
 * What every scenario shares: its description, the options it takes besides the machine, and
 * the record it produces — steps (each with the kernel trace it caused), checked properties
 * read from model state, an outcome word, and the final state. A scenario is a program that
 * drives the simulated kernel; nothing here knows what any kernel should give.
 */
import type { BehaviourName } from '../../kernel-model/behaviours.js';
import type { Kernel } from '../../kernel-model/kernel.js';
import type { TraceEvent } from '../../kernel-model/trace.js';
import type { Environment } from '../env.js';

/** Stable outcome words (`--json` .outcome). */
export type Outcome =
  /** The kernel refused the pin (or mapping) the story needs: nothing can go wrong after it. */
  | 'refused'
  /** A kernel BUG() killed the task that met the inconsistent state. */
  | 'crashed'
  /** Data was lost or landed in memory that belongs to someone else. */
  | 'corrupted'
  /** The data arrived, but the filesystem wrote back a folio it was never told about. */
  | 'untracked'
  /** The pin shows data of another process that the pinning process cannot see. */
  | 'leaked'
  /** The pin no longer shows what the pinning process sees. */
  | 'diverged'
  /** Every checked property holds. */
  | 'safe';

export const OUTCOMES: readonly Outcome[] = [
  'refused',
  'crashed',
  'corrupted',
  'untracked',
  'leaked',
  'diverged',
  'safe',
];

export interface ScenarioOption {
  /** The command-line flag without dashes. */
  name: string;
  values: readonly string[];
  default: string;
  help: string;
}

export interface Step {
  action: string;
  result: string;
  trace: TraceEvent[];
}

export interface Check {
  description: string;
  holds: boolean;
  /** Not applicable on this machine (TAP `# SKIP`), with the reason. */
  skip?: string;
}

export interface ScenarioResult {
  scenario: string;
  kernel: { release: string; patches: string[] };
  options: Record<string, string>;
  outcome: Outcome;
  /** One sentence: why that outcome, from the state. */
  summary: string;
  steps: Step[];
  checks: Check[];
  /** Model state at the end (folios, disk, log), for --json. */
  final: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  /** One line for `gupsim scenario`. */
  summary: string;
  /** A paragraph for `gupsim scenario NAME --help`: the story and where it comes from. */
  story: string;
  options: readonly ScenarioOption[];
  /** Behaviours whose refusals or decisions this scenario shows the reason for (`gupsim explain`). */
  shows: readonly BehaviourName[];
  run(env: Environment, options: Record<string, string>): ScenarioResult | { error: string };
}

/** Collects steps and checks while a scenario runs. */
export class ScenarioLog {
  readonly steps: Step[] = [];
  readonly checks: Check[] = [];
  private mark: number;

  constructor(readonly kernel: Kernel) {
    this.mark = kernel.trace.mark();
  }

  step(action: string, result: string): void {
    this.steps.push({ action, result, trace: this.kernel.trace.since(this.mark) });
    this.mark = this.kernel.trace.mark();
  }

  check(description: string, holds: boolean): void {
    this.checks.push({ description, holds });
  }

  skip(description: string, reason: string): void {
    this.checks.push({ description, holds: true, skip: reason });
  }

  result(
    env: Environment,
    scenario: string,
    options: Record<string, string>,
    outcome: Outcome,
    summary: string,
    final: Record<string, unknown>,
  ): ScenarioResult {
    return {
      scenario,
      kernel: { release: env.kernel.release, patches: env.kernel.patches },
      options,
      outcome,
      summary,
      steps: this.steps,
      checks: this.checks,
      final,
    };
  }
}
