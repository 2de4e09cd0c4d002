/**
 * A fixed window of calendar seconds: at most `limit` admitted requests per wall-clock second
 * `Math.floor(wall / 1000)`; the count starts again at each second boundary, so a client may
 * get `limit` requests at the end of one second and `limit` more at the start of the next.
 * The wait of a refused request is the time until the next boundary (always under a second).
 */
import type { RateShape } from './rate-shape-type.js';

export class FixedWindow implements RateShape {
  private second = Number.NaN;
  private count = 0;

  constructor(private readonly limit: number) {}

  admit(_now: number, wall: number): number {
    const second = Math.floor(wall / 1000);
    if (second !== this.second) {
      this.second = second;
      this.count = 0;
    }
    if (this.count >= this.limit) return ((second + 1) * 1000 - wall) / 1000;
    this.count++;
    return 0;
  }

  release(_now: number, wall: number): void {
    if (Math.floor(wall / 1000) === this.second && this.count > 0) this.count--;
  }
}
