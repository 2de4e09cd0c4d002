/**
 * PX's limits per API key: a per-second limit (a token bucket, a sliding or a fixed window:
 * see rate-shape.ts) and a daily quota per day (quota-days.ts: UTC days, or compressed ones).
 * The quota is checked first and counts the requests it lets through; a request the
 * per-second limit refuses does not use quota, nor does one the quota refuses. The simulated
 * other client (`admitOther`) uses the per-second limit only, never the quota.
 *
 * A spent quota answers PX's plain `Rate limit exceeded` by default, with the per-second
 * limit's `Retry-After: 1`: px-api.md documents no answer of its own for it, so nothing in the
 * answer may tell it apart. `quotaBody: 'quota'` answers `Daily quota exceeded` with the
 * seconds left in the day (the emulator's earlier answer, kept for the sink's fast path).
 */
import type { RateLimitOptions } from './options.js';
import { QuotaDays } from './quota-days.js';
import { createRateShape, type RateShape } from './rate-shape.js';

export const RATE_LIMITED = 'Rate limit exceeded';
export const QUOTA_EXCEEDED = 'Daily quota exceeded';

/** What an admitted request holds, so that a throttle after the limits can give it back. */
export interface Admission {
  key: string;
  now: number;
  wall: number;
  /** The limiter state it was taken from (a rate change or a reset makes it void). */
  generation: number;
  quotaDay: number | undefined;
}

export interface LimitVerdict {
  ok: boolean;
  message?: string;
  /** Whole seconds, at least 1. */
  retryAfter?: number;
  /** Set when `ok`. */
  admission?: Admission;
  /** Set when the daily quota refused it (whatever its body says). */
  quota?: boolean;
}

export interface QuotaOptions {
  /** Default `'plain'`. */
  body?: 'plain' | 'quota';
  /** Default: UTC calendar days. */
  dayLengthSec?: number;
}

export class Limiter {
  private shapes = new Map<string, RateShape>();
  private quotaDay = -1;
  private quotaUsed = new Map<string, number>();
  private generation = 0;
  private readonly days: QuotaDays;
  private quotaBody: 'plain' | 'quota';

  constructor(
    private rate: RateLimitOptions | false,
    private quota: number | false,
    readonly clock: () => number = () => performance.now(),
    readonly wallClock: () => number = () => Date.now(),
    quotaOptions: QuotaOptions = {},
  ) {
    this.days = new QuotaDays(quotaOptions.dayLengthSec, clock, wallClock);
    this.quotaBody = quotaOptions.body ?? 'plain';
  }

  setQuotaBody(body: 'plain' | 'quota'): void {
    this.quotaBody = body;
  }

  /** A new day length: day 0 starts now, with a fresh quota. */
  setDayLength(lengthSec: number | undefined): void {
    this.days.setLength(lengthSec);
    this.quotaDay = -1;
    this.quotaUsed.clear();
  }

  setRate(rate: RateLimitOptions | false): void {
    this.rate = rate;
    this.shapes.clear();
    this.generation++;
  }

  setQuota(quota: number | false): void {
    this.quota = quota;
  }

  reset(): void {
    this.shapes.clear();
    this.quotaUsed.clear();
    this.quotaDay = -1;
    this.days.restart();
    this.generation++;
  }

  private shape(key: string, rate: RateLimitOptions): RateShape {
    let shape = this.shapes.get(key);
    if (!shape) this.shapes.set(key, (shape = createRateShape(rate)));
    return shape;
  }

  /** A real request of `key`, now: the daily quota, then the per-second limit. */
  check(key: string): LimitVerdict {
    const wall = this.wallClock();
    let quotaDay: number | undefined;
    if (this.quota !== false) {
      const { day, msLeft } = this.days.now();
      if (day !== this.quotaDay) {
        this.quotaDay = day;
        this.quotaUsed.clear();
      }
      if ((this.quotaUsed.get(key) ?? 0) >= this.quota) {
        if (this.quotaBody === 'plain')
          return { ok: false, message: RATE_LIMITED, retryAfter: 1, quota: true };
        const untilDayEnds = Math.ceil(msLeft / 1000);
        return { ok: false, message: QUOTA_EXCEEDED, retryAfter: Math.max(1, untilDayEnds), quota: true };
      }
      quotaDay = day;
    }
    const now = this.clock();
    if (this.rate !== false) {
      const wait = this.shape(key, this.rate).admit(now, wall);
      if (wait > 0) return { ok: false, message: RATE_LIMITED, retryAfter: Math.max(1, Math.ceil(wait)) };
    }
    if (quotaDay !== undefined) this.quotaUsed.set(key, (this.quotaUsed.get(key) ?? 0) + 1);
    return { ok: true, admission: { key, now, wall, generation: this.generation, quotaDay } };
  }

  /** A request of the simulated other client at `now` / `wall` (in the past or now): per-second limit only. */
  admitOther(key: string, now: number, wall: number): boolean {
    return this.rate === false || this.shape(key, this.rate).admit(now, wall) === 0;
  }

  /** Gives an admitted request's budget and quota back (it was throttled before being processed). */
  release(admission: Admission): void {
    if (admission.generation !== this.generation) return;
    if (this.rate !== false) this.shapes.get(admission.key)?.release(admission.now, admission.wall);
    if (admission.quotaDay !== undefined && admission.quotaDay === this.quotaDay) {
      const used = this.quotaUsed.get(admission.key) ?? 0;
      if (used > 0) this.quotaUsed.set(admission.key, used - 1);
    }
  }
}
