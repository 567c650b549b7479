/**
 * Progress of a long read (`gupsim diff` of a 50 MB runner log takes seconds): a cli-progress
 * bar on stderr, only when stderr is a terminal, only once a read has gone past READ_QUIET
 * bytes (a small log is done before a bar would help), and only while nothing else writes to
 * the same terminal (the caller says: a summary prints after the read, --all-runs to a
 * terminal prints during it). Pipes and CI logs never see it; it is cleared when done.
 */
import cliProgress from 'cli-progress';
import type { CliIO } from '../io.js';
import { rawStream } from '../terminal-io.js';
import { visibleControls } from '../../reports/formats/escape.js';

/** Bytes read before the bar appears. */
export const READ_QUIET = 4 * 1024 * 1024;

export interface ReadProgress {
  /** The stream, counted as it is read; `label` names it on the bar. */
  wrap(
    stream: AsyncIterable<string | Uint8Array>,
    label: string,
  ): AsyncIterable<string | Uint8Array>;
  /** A run was read. */
  run(): void;
  stop(): void;
}

const SILENT: ReadProgress = { wrap: (s) => s, run: () => undefined, stop: () => undefined };

const mb = (n: number): string => (n / 1e6).toFixed(1);

/** `total`: the bytes all inputs hold, null when unknown (stdin). */
export function readProgress(io: CliIO, total: number | null, enabled: boolean): ReadProgress {
  if (!enabled || io.stderr.isTTY !== true) return SILENT;
  let bar: cliProgress.SingleBar | null = null;
  let read = 0;
  let runs = 0;
  let label = '';
  const payload = (): Record<string, string | number> => ({
    mb: mb(read),
    totalMb: total === null ? '?' : mb(total),
    runs,
    label,
  });
  const show = (): void => {
    if (bar) {
      bar.update(total === null ? 0 : read, payload());
      return;
    }
    if (read < READ_QUIET) return;
    bar = new cliProgress.SingleBar(
      {
        // The bar's cursor moves go to the terminal as they are; the label (a file name) is shown.
        stream: rawStream(io.stderr) as unknown as NodeJS.WritableStream,
        format:
          total === null
            ? 'reading {label}: {mb} MB, {runs} runs'
            : 'reading {label} [{bar}] {percentage}% {mb}/{totalMb} MB, {runs} runs',
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 1, total === null ? 0 : read, payload());
  };
  return {
    wrap(stream, name) {
      label = visibleControls(name);
      return (async function* counted() {
        for await (const chunk of stream) {
          read += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
          show();
          yield chunk;
        }
      })();
    },
    run() {
      runs++;
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
