/**
 * A strict sliding one-second window: a request arriving at `now` (monotonic ms) is admitted
 * when fewer than `limit` admitted requests arrived in (now - 1000, now]. The admitted
 * timestamps are kept in a ring (at most `limit` of them, grown as needed). The wait of a
 * refused request is the time until the oldest admitted one leaves the window.
 */
import type { RateShape } from './rate-shape-type.js';

export class SlidingWindow implements RateShape {
  private ring = new Float64Array(16);
  private head = 0;
  private count = 0;

  constructor(private readonly limit: number) {}

  private at(i: number): number {
    return this.ring[(this.head + i) % this.ring.length]!;
  }

  private expire(now: number): void {
    while (this.count > 0 && this.at(0) <= now - 1000) {
      this.head = (this.head + 1) % this.ring.length;
      this.count--;
    }
  }

  admit(now: number): number {
    this.expire(now);
    if (this.count >= this.limit) return (this.at(0) + 1000 - now) / 1000;
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) % this.ring.length] = now;
    this.count++;
    return 0;
  }

  /** Removes the newest admission stamped `now`, if it is still in the window. */
  release(now: number): void {
    for (let i = this.count - 1; i >= 0; i--) {
      if (this.at(i) !== now) continue;
      for (let j = i; j < this.count - 1; j++) {
        this.ring[(this.head + j) % this.ring.length] = this.at(j + 1);
      }
      this.count--;
      return;
    }
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.ring.length * 2, Math.max(this.limit, 16)));
    for (let i = 0; i < this.count; i++) next[i] = this.at(i);
    this.ring = next;
    this.head = 0;
  }
}
