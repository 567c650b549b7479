/** Export formats, one module each behind the Reporter interface; FORMATS picks one by name. */
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { kcidbReporter } from './kcidb.js';
import type { FormatName, Reporter } from './reporter.js';

export const FORMATS: Readonly<Record<FormatName, Reporter>> = {
  junit: junitReporter,
  kcidb: kcidbReporter,
  html: htmlReporter,
  json: jsonReporter,
};

export { FORMAT_NAMES, type FormatName, type Reporter } from './reporter.js';
export { loadReportModel, resultKey, runLabel, type ReportModel, type ReportRun, type LoadOptions } from './model.js';
export { toKcidb, kcidbStatus, kcidbPath, excerpt, KcidbBuilder, KcidbJsonWriter, ISSUE_VERSION, KCIDB_VERSION, KCIDB_STATUSES, LOG_EXCERPT_MAX, suitePath } from './kcidb.js';
export type { KcidbDocument, KcidbTest, KcidbStatus, KcidbIssue, KcidbIncident } from './kcidb.js';
export { CAUSE_RULES, causesOfRun, resultCause, runCause, commitUrl, type Cause, type CauseRule, type Culprit } from './causes.js';
export { reportRunOfDiff, type DiffRunContext } from './from-diff.js';
export { renderHtml } from './html.js';
export { escapeXml, escapeHtml, jsonForScript } from './escape.js';
