/**
 * PX's limits per API key: a token bucket (requests per second with a burst) and a daily
 * quota per UTC day. The quota is checked first and counts the requests it lets through;
 * a request the bucket refuses does not use quota.
 */
import type { RateLimitOptions } from './options.js';

export interface LimitVerdict {
  ok: boolean;
  message?: string;
  /** Whole seconds, at least 1. */
  retryAfter?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

const DAY_MS = 86_400_000;

export class Limiter {
  private buckets = new Map<string, Bucket>();
  private quotaDay = -1;
  private quotaUsed = new Map<string, number>();

  constructor(
    private rate: RateLimitOptions | false,
    private quota: number | false,
    private readonly clock: () => number = () => performance.now(),
    private readonly wallClock: () => number = () => Date.now(),
  ) {}

  setRate(rate: RateLimitOptions | false): void {
    this.rate = rate;
    this.buckets.clear();
  }

  setQuota(quota: number | false): void {
    this.quota = quota;
  }

  reset(): void {
    this.buckets.clear();
    this.quotaUsed.clear();
  }

  check(key: string): LimitVerdict {
    const wall = this.wallClock();
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
    }
    if (this.rate !== false) {
      const { perSecond } = this.rate;
      const burst = this.rate.burst ?? perSecond;
      const now = this.clock();
      let bucket = this.buckets.get(key);
      if (!bucket) this.buckets.set(key, (bucket = { tokens: burst, at: now }));
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
      if (bucket.tokens < 1) {
        const wait = Math.ceil((1 - bucket.tokens) / perSecond);
        return { ok: false, message: 'Rate limit exceeded', retryAfter: Math.max(1, wait) };
      }
      bucket.tokens -= 1;
    }
    if (this.quota !== false) this.quotaUsed.set(key, (this.quotaUsed.get(key) ?? 0) + 1);
    return { ok: true };
  }
}
