import type { RunStats } from '@pxstream/core';

export interface ProgressSources {
  stats: RunStats;
  /**
   * Bytes of the input finished: the offset just past the last row every earlier row of
   * which is done. Not the bytes read: reading runs ahead of PX by the buffers, so a small
   * file would show 100% (and ETA 0s) long before its rows are loaded.
   */
  bytesDone(): number;
  /** Where this run started in the input (a resume starts mid-file). */
  startBytes?: number;
  size: number | undefined;
  sinkStats?: () => { retries?: number; http429?: number } | undefined;
}

/** A one-line progress display on a TTY, rewritten in place a few times a second. */
export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  private lastLength = 0;

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    private readonly sources: ProgressSources,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.render(), 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.lastLength > 0) this.out.write(`\r${' '.repeat(this.lastLength)}\r`);
    this.lastLength = 0;
  }

  render(): void {
    const line = formatProgress(this.sources, Date.now() - this.started);
    const width = (this.out.columns ?? 120) - 1;
    const text = line.length > width ? line.slice(0, width) : line;
    this.out.write(`\r${text}${' '.repeat(Math.max(0, this.lastLength - text.length))}`);
    this.lastLength = text.length;
  }
}

/** One short line (fits 80 columns for most loads): rows, speed, percent, ETA, outcomes, retries. */
export function formatProgress(sources: ProgressSources, elapsedMs: number): string {
  const { stats, size } = sources;
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  // Rows finished by an earlier run (resume) count in the total, not in this run's speed.
  const rate = (stats.finished - stats.readBase) / seconds;
  const parts = [`${stats.finished} rows ${Math.round(rate)}/s`];
  const start = sources.startBytes ?? 0;
  if (size && size > start) {
    const done = Math.min(size, Math.max(start, sources.bytesDone()));
    const fraction = (done - start) / (size - start);
    const eta = fraction > 0.001 ? ` ETA ${formatDuration((elapsedMs * (1 - fraction)) / fraction)}` : '';
    parts[0] += ` ${((done / size) * 100).toFixed(1)}%${eta}`;
  }
  parts.push(`upd ${stats.updated} ins ${stats.inserted} skip ${stats.skipped} err ${stats.rejected}`);
  const sink = sources.sinkStats?.();
  if (sink) parts.push(`retries ${sink.retries ?? 0} 429s ${sink.http429 ?? 0}`);
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
