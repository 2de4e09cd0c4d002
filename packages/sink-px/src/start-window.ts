/**
 * The start times of the latest requests, to hold request starts to the current rate however
 * they were scheduled. Bottleneck spaces starts by `minTime`, but:
 * - its timers fire a millisecond or more late or early (whole-millisecond clock, busy event
 *   loop), so now and then `rate + 1` starts would fall within one second, which is exactly
 *   what PX's limiter counts;
 * - jobs it registered before the rate was lowered keep their old, closer slots.
 * Each start books its moment here first: no closer than 90% of `1000 / rate` after the last
 * one (catches the old slots without fighting timer jitter), and never more than `floor(rate)`
 * starts in any window of a second (plus a few milliseconds for delivery jitter).
 */
const WINDOW_MS = 1000 + 5;
const SPACING_SLACK = 0.9;

export class StartWindow {
  private readonly ring: Float64Array;
  private next = 0;
  private size = 0;
  private last = Number.NEGATIVE_INFINITY;

  /** `capacity`: the highest rate ever asked for (the configured rate). */
  constructor(capacity: number) {
    this.ring = new Float64Array(Math.max(1, Math.ceil(capacity)));
  }

  /**
   * Books the earliest start at or after `now` allowed at `rate` per second: the caller waits
   * until `at`, then reports the real start with `started`. Booking at once (not when the wait is over) keeps two callers that ask
   * during the same wait from picking the same moment.
   */
  reserve(now: number, rate: number): { at: number; slot: number } {
    let at = Math.max(now, this.last + (SPACING_SLACK * 1000) / rate);
    const limit = Math.min(Math.max(1, Math.floor(rate)), this.ring.length);
    if (this.size >= limit) {
      // The n-th latest start: a new one may go once that one is a full window old.
      const index = (this.next - limit + this.ring.length) % this.ring.length;
      at = Math.max(at, this.ring[index]! + WINDOW_MS);
    }
    const slot = this.next;
    this.last = at;
    this.ring[slot] = at;
    this.next = (this.next + 1) % this.ring.length;
    if (this.size < this.ring.length) this.size++;
    return { at, slot };
  }

  /** The booked start of `slot` really happened at `now` (a timer fires late): later checks use that. */
  started(slot: number, now: number): void {
    if (now > this.ring[slot]!) this.ring[slot] = now;
    if (slot === (this.next - 1 + this.ring.length) % this.ring.length && now > this.last) this.last = now;
  }
}
