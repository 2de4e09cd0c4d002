import type { RunStats } from '@pxstream/core';

export interface ProgressSources {
  stats: RunStats;
  bytesRead(): number;
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

export function formatProgress(sources: ProgressSources, elapsedMs: number): string {
  const { stats, size } = sources;
  const done = stats.finished;
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const rate = done / seconds;
  const parts = [`${done} rows`, `${Math.round(rate)} rows/s`];
  if (size && size > 0) {
    const fraction = Math.min(1, sources.bytesRead() / size);
    parts.push(`${(fraction * 100).toFixed(1)}%`);
    if (fraction > 0.001) parts.push(`ETA ${formatDuration((elapsedMs * (1 - fraction)) / fraction)}`);
  }
  parts.push(
    `${stats.updated} upd`,
    `${stats.inserted} ins`,
    `${stats.skipped} skip`,
    `${stats.rejected} err`,
  );
  const sink = sources.sinkStats?.();
  if (sink) parts.push(`${sink.retries ?? 0} retries`, `${sink.http429 ?? 0} x 429`);
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
