/**
 * One export format = one module implementing Reporter (as vitest's reporters do): the CLI
 * picks it by name from FORMATS (index.ts) and writes what `render` returns.
 */
import type { ReportModel } from './model.js';

export const FORMAT_NAMES = ['junit', 'kcidb', 'html', 'json'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface Reporter {
  readonly name: FormatName;
  /** Suggested file extension (without the dot). */
  readonly extension: string;
  render(model: ReportModel): string;
}
