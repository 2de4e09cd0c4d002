/**
 * One key's per-second limit, whatever its shape. Every shape is told both clocks (monotonic
 * ms and wall-clock epoch ms) and uses the one it models; times given to one shape never go
 * back. A refused request does not count against it.
 */
import { FixedWindow } from './fixed-window.js';
import type { RateLimitOptions } from './options.js';
import type { RateShape } from './rate-shape-type.js';
import { SlidingWindow } from './sliding-window.js';
import { TokenBucket } from './token-bucket.js';

export type { RateShape } from './rate-shape-type.js';

export function createRateShape(rate: RateLimitOptions): RateShape {
  switch (rate.shape ?? 'bucket') {
    case 'sliding':
      return new SlidingWindow(rate.perSecond);
    case 'fixed':
      return new FixedWindow(rate.perSecond);
    default:
      return new TokenBucket(rate.perSecond, rate.burst ?? rate.perSecond);
  }
}
