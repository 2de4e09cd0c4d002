/**
 * The start times of the latest requests, to hold request starts to the current rate however
 * they were scheduled: never more than `floor(rate)` starts in any window of a second (plus a
 * few milliseconds for delivery jitter), which is exactly what a sliding or a fixed one-second
 * window on the server counts. `StartGate` asks `earliest` before each start and `record`s it;
 * the start is re-stamped with `started` when the request really goes (a promise continuation
 * can run a few milliseconds after the gate let it through).
 *
 * `reserve` books a start the older way (spacing at 90% of `1000 / rate` from the last booked
 * one, and the window), for callers that book ahead; the limiter no longer does.
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

  /**
   * The earliest moment at or after `now` when one more start keeps every window of `WINDOW_MS`
   * at `floor(rate)` starts or fewer, counting the starts recorded with `record`. Nothing is
   * booked: the caller records the start when it happens.
   */
  earliest(now: number, rate: number): number {
    const limit = Math.min(Math.max(1, Math.floor(rate)), this.ring.length);
    if (this.size < limit) return now;
    // The n-th latest start: a new one may go once that one is a full window old.
    const index = (this.next - limit + this.ring.length) % this.ring.length;
    return Math.max(now, this.ring[index]! + WINDOW_MS);
  }

  /**
   * A start let through at `now` (monotonic ms, never earlier than the previous one). Returns
   * its slot, for `started` once the request really goes.
   */
  record(now: number): number {
    const slot = this.next;
    this.ring[slot] = now;
    this.last = now;
    this.next = (this.next + 1) % this.ring.length;
    if (this.size < this.ring.length) this.size++;
    return slot;
  }

  /**
   * The start of `slot` really happened at `now` (a timer or a continuation runs late): later
   * checks use that. The slots recorded after it are raised to `now` too, so that the stamps stay
   * in order: a start that went late must not hide behind one recorded after it but sent first
   * (the n-th latest slot would then not be the n-th latest start, and n + 1 starts could fit in
   * a window).
   */
  started(slot: number, now: number): void {
    const length = this.ring.length;
    for (let i = slot; i !== this.next; i = (i + 1) % length) {
      if (!(now > this.ring[i]!)) break;
      this.ring[i] = now;
    }
    if (now > this.last) this.last = now;
  }
}
