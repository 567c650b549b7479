/** The result model as JSON, for scripts: runs (without raw logs) and their results. */
import type { Reporter } from './reporter.js';

export const jsonReporter: Reporter = {
  name: 'json',
  extension: 'json',
  render(model) {
    return `${JSON.stringify(
      {
        generatedAt: model.generatedAt,
        origin: model.origin,
        runs: model.runs.map((r) => ({ run: r.run, results: r.results })),
        ...(model.known ? { known: { file: model.known.file, issues: model.known.issues } } : {}),
      },
      null,
      2,
    )}\n`;
  },
};
