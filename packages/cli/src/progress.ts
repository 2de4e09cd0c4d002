import type { LoadProgress } from '@pxstream/load';

/** Erases from the cursor to the end of the line (ANSI EL). */
const ERASE_LINE_END = '\x1b[K';

/**
 * A one-line progress display on a terminal, rewritten in place as the load reports progress.
 * The line is cut to the terminal's width as it is now (a resize is honoured at the next draw)
 * and what the last draw left is erased, never padded with spaces that could wrap.
 */
export class ProgressLine {
  private shown = false;

  constructor(private readonly out: NodeJS.WritableStream & { columns?: number }) {}

  /** Draws the line for `progress` (the load calls this a few times a second). */
  readonly update = (progress: LoadProgress): void => {
    const line = formatProgress(progress);
    const width = Math.max(1, (this.out.columns ?? 80) - 1);
    const text = line.length > width ? line.slice(0, width) : line;
    this.out.write(`\r${text}${ERASE_LINE_END}`);
    this.shown = true;
  };

  /** Wipes the line, so that what is printed next (a notice, the summary) starts on a clean line. */
  clear(): void {
    if (this.shown) this.out.write(`\r${ERASE_LINE_END}`);
    this.shown = false;
  }
}

/** One short line (fits 80 columns for most loads): rows, speed, percent, ETA, outcomes, retries. */
export function formatProgress(p: LoadProgress): string {
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  // Rows finished by an earlier run (resume) count in the total, not in this run's speed.
  const rate = (p.finished - p.finishedBefore) / seconds;
  const parts = [`${p.finished} rows ${Math.round(rate)}/s`];
  const start = p.startBytes;
  const size = p.size;
  if (size && size > start && p.bytesDone !== undefined) {
    const done = Math.min(size, Math.max(start, p.bytesDone));
    const fraction = (done - start) / (size - start);
    const eta = fraction > 0.001 ? ` ETA ${formatDuration((p.elapsedMs * (1 - fraction)) / fraction)}` : '';
    parts[0] += ` ${((done / size) * 100).toFixed(1)}%${eta}`;
  }
  parts.push(`upd ${p.updated} ins ${p.inserted} skip ${p.skipped} err ${p.rejected}`);
  if (p.currentRate !== undefined) parts.push(`retries ${p.retries} 429s ${p.http429}`);
  return parts.join(' | ');
}

export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(s).padStart(2, '0')}s`
      : `${s}s`;
}
