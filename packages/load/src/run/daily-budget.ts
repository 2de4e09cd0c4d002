import { DAILY_REQUESTS_FLUSH_MS, type DailyRequests, nextUtcDay } from '@pxstream/ledger';
import type { RequestBudget } from '@pxstream/sink-px';
import { LoadError } from '../errors.js';
import type { LoadLog } from './log.js';
import { durationText, untilText } from './times.js';

/**
 * How often a wait for the next UTC day looks at the clock, in ms. The wait is a timer to
 * midnight, cut into steps of this length so that a clock that is not the wall's (`clock`:
 * tests, a compressed day) is followed within a step; one look a second costs nothing.
 */
export const DAY_POLL_MS = 1000;

/**
 * The load's `requestBudget`: every request the sink sends is counted in the target's daily
 * count (see `DailyRequests`), and with `dailyBudget` none is sent past the cap: the load waits
 * for the next UTC day, or (`wait: false`) stops with `PX_DAILY_BUDGET`. The cap is checked
 * against the count of every run into the same PX, so two runs at once share one budget (to
 * within a flush, `DAILY_REQUESTS_FLUSH_MS`, of the other run's requests).
 */
export class DailyBudget implements RequestBudget {
  /** Waits for the next UTC day so far, and their total length. */
  waits = 0;
  private waitedBefore = 0;
  /** When the current wait began (epoch ms by the clock), while one runs. */
  waitingSince: number | undefined;
  private nextDay: Promise<void> | undefined;
  private readonly dayTimers = new Set<NodeJS.Timeout>();
  private readonly flusher: NodeJS.Timeout;
  private flushError: unknown;

  constructor(
    readonly count: DailyRequests,
    /** Requests a UTC day at most; undefined: counted, never capped. */
    readonly cap: number | undefined,
    private readonly wait: boolean,
    private readonly clock: () => number,
    private readonly log: LoadLog,
  ) {
    this.flusher = setInterval(() => this.flushQuietly(), DAILY_REQUESTS_FLUSH_MS);
    this.flusher.unref();
  }

  /** Requests sent to this PX today (UTC), by every run that counted them. */
  get today(): number {
    return this.count.today();
  }

  /** Ms spent waiting for the next day, the current wait included. */
  get waitedMs(): number {
    return this.waitedBefore + (this.waitingSince === undefined ? 0 : this.clock() - this.waitingSince);
  }

  take(signal: AbortSignal): Promise<void> | undefined {
    if (this.cap === undefined || this.count.today() < this.cap) {
      this.count.add();
      return undefined;
    }
    return this.overCap(signal);
  }

  /** Writes what is counted and stops the timers (the end of the load). */
  async close(): Promise<void> {
    clearInterval(this.flusher);
    for (const timer of this.dayTimers) clearTimeout(timer);
    this.dayTimers.clear();
    await this.count.flush();
  }

  private async overCap(signal: AbortSignal): Promise<void> {
    const cap = this.cap ?? Number.POSITIVE_INFINITY;
    if (!this.wait) throw this.spent();
    while (this.count.today() >= cap) {
      this.nextDay ??= this.waitForNextDay();
      await abortable(this.nextDay, signal);
    }
    this.count.add();
  }

  /** One wait shared by every request that meets the cap: said once when it starts and ends. */
  private async waitForNextDay(): Promise<void> {
    const since = this.clock();
    this.waits++;
    this.waitingSince = since;
    this.log.info(
      `the daily budget of ${this.cap} requests (\`dailyBudget\`) is used: ${this.count.today()} requests sent to this PX today (UTC); ` +
        `waiting for 00:00 UTC (${untilText(since)}), nothing is sent meanwhile`,
      'BUDGET_WAIT_START',
    );
    const midnight = nextUtcDay(since);
    while (this.clock() < midnight) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          () => {
            this.dayTimers.delete(timer);
            resolve();
          },
          Math.min(DAY_POLL_MS, Math.max(1, midnight - this.clock())),
        );
        this.dayTimers.add(timer);
      });
      // The other runs' counts of the new day, before deciding.
      await this.count.flush().catch(() => {});
    }
    const waited = this.clock() - since;
    this.waitedBefore += waited;
    this.waitingSince = undefined;
    this.nextDay = undefined;
    this.log.info(
      `a new UTC day: the daily budget is open again after ${durationText(waited)} of waiting; carrying on`,
      'BUDGET_WAIT_END',
    );
  }

  private spent(): LoadError {
    const now = this.clock();
    return new LoadError(
      'PX_DAILY_BUDGET',
      `the daily budget of ${this.cap} requests (\`dailyBudget\`) is used: ${this.count.today()} requests sent to this PX today; ` +
        `it opens again at 00:00 UTC (${untilText(now)})`,
    );
  }

  /** The periodic flush: a failure is said once, and the count goes on in memory. */
  private flushQuietly(): void {
    this.count.flush().catch((error: unknown) => {
      if (this.flushError !== undefined) return;
      this.flushError = error;
      this.log.warn(`the daily request count cannot be written: ${(error as Error).message}`);
    });
  }
}

/** `promise`, or the signal's reason once it aborts. */
function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
