/**
 * A lab's known issues (known-issues.yaml, schema.ts): failures the lab has looked at and
 * accepted, each with a reason and a link. A result an entry covers is triaged `known`, does
 * not need a human, and keeps what gupsim said before (`was`).
 */
import type { SubtestVerdict, TriageClass } from '../diff/types.js';
import type { Glob } from './glob.js';
import type { KernelRange } from './kernel-range.js';

/** KCIDB's culprit layers (as reports/formats/causes.ts names them). */
export type KnownCulprit = 'code' | 'tool' | 'harness';

/** A result's verdict as an entry names it: `absent` is a planned result the log lacks. */
export type KnownVerdict = SubtestVerdict | 'absent';

export interface KnownIssue {
  /** The lab's id: `[A-Za-z0-9][A-Za-z0-9._-]*`, unique in the file. */
  id: string;
  /** Line of the entry in its file. */
  line: number;
  /** Globs over stable ids (`*` within a part, `**` across); empty: any id. */
  tests: Glob[];
  /** Globs over the printed test names; empty: any name. */
  names: Glob[];
  /** Kernel ranges, any of which may hold; empty: every kernel. */
  kernels: KernelRange[];
  /** Globs over machine labels; empty: every machine. */
  machines: Glob[];
  /** Architectures; empty: every architecture. */
  arches: string[];
  /** The triage classes it covers (default: every class but match and conflict). */
  classes: ReadonlySet<TriageClass>;
  /** The observed verdicts it covers (default: fail, error). */
  verdicts: ReadonlySet<KnownVerdict>;
  reason: string;
  /** Where the lab tracks it (a bug, a mail thread). */
  link: string;
  culprit: KnownCulprit;
  /** YYYY-MM-DD: from that day on the entry is not applied (and is reported as expired). */
  expires: string | null;
  /** The KCIDB issue version: raise it when the entry is edited. */
  revision: number;
}

export interface KnownIssues {
  /** The file's name as given (error lines and reports name it). */
  file: string;
  issues: KnownIssue[];
}

/** An entry as results and reports name it. */
export interface KnownRef {
  id: string;
  reason: string;
  link: string;
  culprit: KnownCulprit;
  revision: number;
}

/** What a `known` result carries: which entry, why, and what gupsim had said. */
export interface KnownMark extends KnownRef {
  /** The class before the entry applied. */
  was: TriageClass;
}

/** Facts about a run that entries are scoped by. */
export interface RunScope {
  /** A kernel label (`6.18.44`, `6.1.0-50-amd64`, `next`), null when unknown. */
  kernel: string | null;
  machine: string | null;
  arch: string | null;
}

/**
 * What an entry in scope of a run found there: `seen` (it covers a result), `not-seen` (its
 * tests are there but none fails as listed: the known issue no longer happens) or `absent`
 * (none of its tests is in the run).
 */
export interface KnownRunNote {
  issue: KnownRef;
  status: 'seen' | 'not-seen' | 'absent';
  /** `seen`: the ids covered; `not-seen`: each matching test and its verdict (`id passes`); a few. */
  tests: string[];
  /** Positions in the run's results of every test it covers (seen) or names (not-seen). */
  at: number[];
}
