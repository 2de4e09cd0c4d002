import type { RunStats } from '@pxstream/core';
import type { PxSinkStats } from '@pxstream/sink-px';
import type { LoadProgress, LoadWait } from '../options.js';
import type { DailyBudget } from './daily-budget.js';
import type { PxWaits } from './waits.js';

export interface ProgressSources {
  stats: RunStats;
  /**
   * Bytes of the input finished: the offset just past the last row every earlier row of which
   * is done. Not the bytes read: reading runs ahead of PX by the buffers, so a small file would
   * show 100% long before its rows are loaded. Undefined when the input is not a file.
   */
  bytesDone(): number | undefined;
  startBytes: number;
  size: number | undefined;
  sink(): PxSinkStats | undefined;
  /** The daily count and budget, when the load sends. */
  budget?: DailyBudget | undefined;
  /** The wait for PX under way. */
  waits?: PxWaits | undefined;
}

/** Calls `onProgress` with the load's counters every `intervalMs` while it runs. */
export class ProgressTicker {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = performance.now();

  constructor(
    private readonly onProgress: (progress: LoadProgress) => void,
    private readonly intervalMs: number,
    private readonly sources: ProgressSources,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.onProgress(this.snapshot()), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  snapshot(): LoadProgress {
    const { stats, budget } = this.sources;
    const sink = this.sources.sink();
    return {
      read: stats.read,
      updated: stats.updated,
      inserted: stats.inserted,
      skipped: stats.skipped,
      rejected: stats.rejected,
      dryRun: stats.dryRun,
      finished: stats.finished,
      finishedBefore: stats.readBase,
      bytesDone: this.sources.bytesDone(),
      startBytes: this.sources.startBytes,
      size: this.sources.size,
      requests: sink?.sent ?? 0,
      retries: sink?.retries ?? 0,
      http429: sink?.http429 ?? 0,
      currentRate: sink?.currentRate,
      elapsedMs: performance.now() - this.started,
      requestsToday: budget?.today,
      dailyBudget: budget?.cap,
      waits: (sink?.waits ?? 0) + (budget?.waits ?? 0),
      waitedMs: (sink?.waitedMs ?? 0) + (budget?.waitedMs ?? 0),
      waiting: this.waiting(),
    };
  }

  /** The wait under way: for PX (the sink says it waits), else for the budget's next day. */
  private waiting(): LoadWait | undefined {
    const { budget, waits } = this.sources;
    if (this.sources.sink()?.waiting && waits?.current) return waits.current;
    if (budget?.waitingSince !== undefined) return { for: 'budget', since: budget.waitingSince };
    return undefined;
  }
}
