/**
 * A run's wording-era hints, collected for every selftest's plug-in (cases/selftests/*):
 * which version of the test (and of kselftest.h) printed it, read from texts only some
 * versions print. The run's test is settled when it ends, so each plug-in's hints are kept
 * apart and the run reports its own test's (hints(i)); identify then decides.
 */
import { PLUGINS } from '../../cases/selftests/index.js';
import type { EraNotes } from '../../cases/selftests/plugin.js';
import type { Era, EraHint, InfoFact, LineRef, ObservedSubtest } from './types.js';

/** One plug-in's hints: each era's first evidence. */
export class PluginEras implements EraNotes {
  readonly seen = new Map<Era, LineRef>();
  /** The sub-test being read (its result line is the evidence of what it shows). */
  at: ObservedSubtest | null = null;

  note(era: string): void {
    if (this.seen.has(era)) return;
    const s = this.at;
    // Allocated only when new.
    if (s !== null) this.seen.set(era, { line: s.line, text: s.resultText ?? '' });
  }

  has(era: string): boolean {
    return this.seen.has(era);
  }
}

export class EraCollector {
  /** By plug-in, in PLUGINS order. */
  private readonly byPlugin: PluginEras[] = PLUGINS.map(() => new PluginEras());

  /** An era every selftest shares (kselftest.h's own), with its evidence. */
  note(era: Era, evidence: LineRef): void {
    for (const p of this.byPlugin) if (!p.seen.has(era)) p.seen.set(era, evidence);
  }

  /** A diagnostic line of the run: an era some plug-in reads off it alone. */
  noteDiagnostic(text: string, evidence: LineRef): void {
    for (let i = 0; i < PLUGINS.length; i++) {
      const era = PLUGINS[i]!.vocabulary.diagnosticEra(text);
      const p = this.byPlugin[i]!;
      if (era !== null && !p.seen.has(era)) p.seen.set(era, evidence);
    }
  }

  /** A fact line: an era some plug-in reads off its wording. */
  noteFact(fact: InfoFact, evidence: LineRef): void {
    for (let i = 0; i < PLUGINS.length; i++) {
      const era = PLUGINS[i]!.vocabulary.factEra(fact);
      const p = this.byPlugin[i]!;
      if (era !== null && !p.seen.has(era)) p.seen.set(era, evidence);
    }
  }

  /** Hints from one completed sub-test's result line, for every plug-in. */
  noteSubtest(s: ObservedSubtest): void {
    if (s.resultText === null) return;
    for (let i = 0; i < PLUGINS.length; i++) {
      const p = this.byPlugin[i]!;
      p.at = s;
      PLUGINS[i]!.vocabulary.eraHints(s, p);
      p.at = null;
    }
  }

  /** The hints of the plug-in at `index` (PLUGINS), in the order they were first seen. */
  hints(index: number): EraHint[] {
    return [...(this.byPlugin[index]?.seen ?? [])].map(([era, evidence]) => ({ era, evidence }));
  }
}
