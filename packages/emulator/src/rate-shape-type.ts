/**
 * One key's per-second limit, whatever its shape. Every shape is told both clocks (monotonic
 * ms and wall-clock epoch ms) and uses the one it models; times given to one shape never go
 * back. A refused request does not count against it.
 */
export interface RateShape {
  /**
   * Admits one request arriving at `now` (monotonic ms) / `wall` (epoch ms): returns 0, or,
   * when refused, the seconds (> 0, maybe fractional) until a request would be admitted.
   */
  admit(now: number, wall: number): number;
  /** Gives back the admission made at `now` / `wall` (a request throttled after it), if it still counts. */
  release(now: number, wall: number): void;
}
