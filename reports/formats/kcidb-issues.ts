/**
 * KCIDB issues and incidents from gupsim's causes (causes.ts): one issue per cause key, one
 * incident per test a cause explains.
 */
import type { Cause } from './causes.js';
import type { KcidbIncident, KcidbIssue, KcidbTest } from './kcidb-types.js';

/**
 * The version of every issue gupsim writes. KCIDB keeps the highest version of an issue id, so
 * raise this when the way an issue's fields are derived from its cause changes: the new
 * account then replaces the old one in a database that has both.
 */
export const ISSUE_VERSION = 1;

/** A lab's known issue carries its own version (the entry's revision); gupsim's are ISSUE_VERSION. */
function versionOf(cause: Cause): number {
  return cause.known?.revision ?? ISSUE_VERSION;
}

export class KcidbIssues {
  private readonly issues = new Map<string, KcidbIssue>();
  private readonly incidents: KcidbIncident[] = [];

  constructor(private readonly origin: string) {}

  /** The issue id of a cause: `<origin>:<cause key>`. */
  idOf(cause: Cause): string {
    return `${this.origin}:${cause.key}`;
  }

  /**
   * Record that `cause` explains `test` (the issue is created on first use). `present: false`:
   * the issue was expected in this test and did not occur (a lab's known issue no longer seen).
   */
  incident(cause: Cause, test: KcidbTest, comment: string, present = true): void {
    const issueId = this.idOf(cause);
    if (!this.issues.has(issueId)) this.issues.set(issueId, this.issue(cause, issueId));
    this.incidents.push({
      // One incident per (test, cause): the test id is unique in the document and stable.
      id: `${test.id}/${cause.key}`,
      origin: this.origin,
      issue_id: issueId,
      issue_version: versionOf(cause),
      build_id: test.build_id,
      test_id: test.id,
      present,
      ...(comment ? { comment } : {}),
      misc: { triage: cause.class },
    });
  }

  private issue(cause: Cause, id: string): KcidbIssue {
    return {
      id,
      version: versionOf(cause),
      origin: this.origin,
      ...(cause.reportUrl ? { report_url: cause.reportUrl } : {}),
      ...(cause.subject ? { report_subject: cause.subject } : {}),
      // Every layer stated: the one named, and the two it is not (KCIDB reads a missing one as unknown).
      culprit: {
        code: cause.culprit === 'code',
        tool: cause.culprit === 'tool',
        harness: cause.culprit === 'harness',
      },
      comment: cause.text,
      misc: {
        triage: cause.class,
        key: cause.key,
        ...(cause.commit ? { commit: cause.commit } : {}),
        ...(cause.known ? { known_issue: cause.known.id } : {}),
      },
    };
  }

  finish(): { issues: KcidbIssue[]; incidents: KcidbIncident[] } {
    return { issues: [...this.issues.values()], incidents: this.incidents };
  }
}
