/** The KCIDB v5.3 objects gupsim writes (kcidb-io kcidb_io/schema/v05_03.py), field for field. */

export const KCIDB_STATUSES = ['FAIL', 'ERROR', 'MISS', 'PASS', 'DONE', 'SKIP'] as const;
export type KcidbStatus = (typeof KCIDB_STATUSES)[number];

export type Json = string | number | boolean | Json[] | { [k: string]: Json };

export interface KcidbTest {
  id: string;
  build_id: string;
  origin: string;
  path: string;
  status: KcidbStatus;
  comment?: string;
  log_excerpt?: string;
  start_time?: string;
  environment?: { comment?: string; misc?: { [k: string]: Json } };
  misc?: { [k: string]: Json };
}

/** A known problem: "an issue found either in the kernel code, a test, or a CI system". */
export interface KcidbIssue {
  id: string;
  /** Only the highest version of an issue is used for triage. */
  version: number;
  origin: string;
  report_url?: string;
  report_subject?: string;
  /** Who to notify: the tested code, the test (tool), or the harness. */
  culprit: { code: boolean; tool: boolean; harness: boolean };
  comment?: string;
  misc?: { [k: string]: Json };
}

/** An issue occurring in a test (and its build). */
export interface KcidbIncident {
  id: string;
  origin: string;
  issue_id: string;
  issue_version: number;
  build_id: string;
  test_id: string;
  present: boolean;
  comment?: string;
  misc?: { [k: string]: Json };
}

export interface KcidbDocument {
  version: { major: number; minor: number };
  tests: KcidbTest[];
  checkouts: {
    id: string;
    origin: string;
    comment?: string;
    start_time?: string;
    misc?: { [k: string]: Json };
  }[];
  builds: {
    id: string;
    checkout_id: string;
    origin: string;
    architecture?: string;
    start_time?: string;
    comment?: string;
    misc?: { [k: string]: Json };
  }[];
  issues: KcidbIssue[];
  incidents: KcidbIncident[];
}
