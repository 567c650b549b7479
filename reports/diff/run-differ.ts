/**
 * Diffing runs one at a time, as a streaming parser hands them out, with the work of one run
 * reused for every run with the same content (run-key.ts): a 50 MB CI log of 7,800 runs of a
 * handful of machines costs a handful of inferences and comparisons, and the answers are the
 * ones diffRun gives each run on its own.
 */
import { PLUGINS } from '../../cases/selftests/index.js';
import type { ParsedLog, ParsedRun } from '../parse/types.js';
import { knownRunDiff, type KnownOptions } from '../known/apply.js';
import { diffRun, isFragment, type DiffOptions } from './diff-run.js';
import { contentHash, matches, reusable, signature, type RunSignature } from './run-key.js';
import type { RunDiff } from './types.js';

/** A finished diff minus what belongs to one run only. */
type Template = Omit<RunDiff, 'index' | 'parsed'>;

interface Entry {
  sig: RunSignature;
  template: Template;
}

/** Distinct run contents remembered per differ; the oldest is forgotten first. */
const CACHE_LIMIT = 256;

export class RunDiffer {
  /** Entries by content hash (a bucket: equal hashes are compared field by field). */
  private readonly cache = new Map<number, Entry[]>();
  private readonly order: number[] = [];
  /** Runs diffed, and how many of them reused an earlier run's diff. */
  runs = 0;
  reused = 0;

  private readonly opts: DiffOptions;
  /** A lab's known issues, applied to each diff (and kept in the reused ones). */
  private readonly known: KnownOptions | undefined;

  constructor(opts: DiffOptions & { known?: KnownOptions | undefined } = {}) {
    const { known, ...rest } = opts;
    this.opts = rest;
    this.known = known;
  }

  /** The environment of the last run that is not a fragment (DiffOptions.machine). */
  private machine: DiffOptions['machine'];

  diff(run: ParsedRun): RunDiff {
    if (isFragment(run)) {
      this.runs++;
      return this.withKnown(diffRun(run, run.index, { ...this.opts, machine: this.machine }));
    }
    const d = this.diffOne(run);
    this.machine = d.env;
    return d;
  }

  private withKnown(d: RunDiff): RunDiff {
    return this.known ? knownRunDiff(d, this.known) : d;
  }

  private diffOne(run: ParsedRun): RunDiff {
    this.runs++;
    if (!reusable(run)) return this.withKnown(diffRun(run, run.index, this.opts));
    const hash = contentHash(run);
    const bucket = this.cache.get(hash);
    if (bucket) {
      for (const e of bucket) {
        if (matches(e.sig, run)) {
          this.reused++;
          return { ...e.template, index: run.index, parsed: run };
        }
      }
    }
    const d = this.withKnown(diffRun(run, run.index, this.opts));
    const { index: _i, parsed: _p, ...template } = d;
    this.remember(hash, { sig: signature(run, hash), template });
    return d;
  }

  private remember(hash: number, e: Entry): void {
    if (this.order.length >= CACHE_LIMIT) {
      const old = this.order.shift()!;
      const b = this.cache.get(old);
      b?.shift();
      if (b && b.length === 0) this.cache.delete(old);
    }
    this.order.push(hash);
    const b = this.cache.get(hash);
    if (b) b.push(e);
    else this.cache.set(hash, [e]);
  }
}

/** What a log without a single selftest run is told. */
export const NO_RUN = `no selftest run (${PLUGINS.map((p) => p.name).join(', ')}) found in the log`;

/** The log-level problems of a parsed log, as report lines. */
export function logIssues(log: ParsedLog): string[] {
  const issues = log.errors.map((e) => `${e.line === null ? '' : `line ${e.line}: `}${e.message}`);
  // stats.runs counts every run, kept in log.runs or streamed to onRun.
  if (log.stats.runs === 0) issues.push(NO_RUN);
  return issues;
}
