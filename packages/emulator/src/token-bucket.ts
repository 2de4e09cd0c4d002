/**
 * A token bucket: `burst` tokens at first, `perSecond` added per second (monotonic clock),
 * never more than `burst`; a request takes one. The wait of a refused request is the time
 * until the bucket holds a whole token again.
 */
import type { RateShape } from './rate-shape-type.js';

export class TokenBucket implements RateShape {
  private tokens: number;
  private at: number | undefined;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  admit(now: number): number {
    if (this.at !== undefined) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    }
    this.at = now;
    if (this.tokens < 1) return (1 - this.tokens) / this.perSecond;
    this.tokens -= 1;
    return 0;
  }

  release(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }
}
