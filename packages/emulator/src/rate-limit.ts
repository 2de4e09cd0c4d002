/**
 * PX's limits per API key: a per-second limit (a token bucket, a sliding or a fixed window:
 * see rate-shape.ts) and a daily quota per UTC day. The quota is checked first and counts the
 * requests it lets through; a request the per-second limit refuses does not use quota. The
 * simulated other client (`admitOther`) uses the per-second limit only, never the quota.
 */
import type { RateLimitOptions } from './options.js';
import { createRateShape, type RateShape } from './rate-shape.js';

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
}

const DAY_MS = 86_400_000;

export class Limiter {
  private shapes = new Map<string, RateShape>();
  private quotaDay = -1;
  private quotaUsed = new Map<string, number>();
  private generation = 0;

  constructor(
    private rate: RateLimitOptions | false,
    private quota: number | false,
    readonly clock: () => number = () => performance.now(),
    readonly wallClock: () => number = () => Date.now(),
  ) {}

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
      const day = Math.floor(wall / DAY_MS);
      if (day !== this.quotaDay) {
        this.quotaDay = day;
        this.quotaUsed.clear();
      }
      if ((this.quotaUsed.get(key) ?? 0) >= this.quota) {
        const untilMidnight = Math.ceil(((day + 1) * DAY_MS - wall) / 1000);
        return { ok: false, message: 'Daily quota exceeded', retryAfter: Math.max(1, untilMidnight) };
      }
      quotaDay = day;
    }
    const now = this.clock();
    if (this.rate !== false) {
      const wait = this.shape(key, this.rate).admit(now, wall);
      if (wait > 0)
        return { ok: false, message: 'Rate limit exceeded', retryAfter: Math.max(1, Math.ceil(wait)) };
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
