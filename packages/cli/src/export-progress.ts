import type { ExportProgress } from '@pxstream/load';
import { InPlaceLine } from './in-place-line.js';
import { formatDuration } from './progress.js';

/** An export's (or ledger rebuild's) progress on a terminal: one line, rewritten in place after each page. */
export class ExportProgressLine extends InPlaceLine<ExportProgress> {
  constructor(out: NodeJS.WritableStream & { columns?: number }) {
    super(out, formatExportProgress);
  }
}

/** `12000 of 1000000 records 1.2% 24000/s ETA 41s | 13 requests`: PX's `totalHits` is the whole. */
export function formatExportProgress(p: ExportProgress): string {
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  const rate = p.records / seconds;
  let head = `${p.records} records`;
  if (p.totalHits !== undefined) {
    head = `${p.records} of ${p.totalHits} records`;
    if (p.totalHits > 0) {
      const fraction = Math.min(1, p.records / p.totalHits);
      const eta =
        fraction > 0 && fraction < 1
          ? ` ETA ${formatDuration((p.elapsedMs * (1 - fraction)) / fraction)}`
          : '';
      head += ` ${(fraction * 100).toFixed(1)}%${eta}`;
    }
  }
  const restarts = p.restarts > 0 ? ` ${p.restarts} restarts` : '';
  return `${head} ${Math.round(rate)}/s | ${p.requests} requests ${p.retries} retries ${p.http429} 429s${restarts}`;
}
