/**
 * Progress for long work: a cli-progress bar on stderr when stderr is a terminal, nothing at
 * all otherwise (pipes and CI logs stay clean; stdout is never touched).
 */
import cliProgress from 'cli-progress';
import type { CliIO } from '../io.js';
import { rawStream } from '../terminal-io.js';
import { visibleControls } from '../../reports/formats/escape.js';

export interface Progress {
  tick(label?: string): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => undefined, stop: () => undefined };

export function progress(io: CliIO, total: number, what: string): Progress {
  if (io.stderr.isTTY !== true || total < 2) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      // The bar's own cursor moves go to the terminal as they are; the labels (file names) are shown.
      stream: rawStream(io.stderr) as unknown as NodeJS.WritableStream,
      format: `${what} [{bar}] {value}/{total} {label}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    tick: (label = '') => bar.increment(1, { label: visibleControls(label) }),
    stop: () => bar.stop(),
  };
}
