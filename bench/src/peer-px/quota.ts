/**
 * The peer's daily quota, written from px-api.md ("Rate limits": about 1,000,000 requests a
 * day per subscription; a spent quota has no documented answer of its own: "expect the same
 * 429 and the same 'Rate limit exceeded' body as the per-second limit ... and no statement of
 * when the day turns (calendar day or rolling 24 hours)").
 *
 * Both readings of "a day" are served, on this server's own monotonic clock, with a day of
 * `dayLengthSec` seconds (86,400 unless compressed for a benchmark):
 * - `fixed` (default): day n covers [n × day, (n + 1) × day) from the server's start, and each
 *   day has `perDay` requests;
 * - `rolling`: a request is admitted when fewer than `perDay` were admitted in the day before
 *   it. Kept as a ring of the last `perDay` admission times (8 bytes each).
 *
 * Only requests that passed the key check and the per-second limit reach the quota; a refused
 * one uses none. Its 429 carries no `Retry-After` (px-api.md: "honour Retry-After if one is
 * sent"), unlike the per-second one: a client must not need the header.
 */

export type QuotaDays = 'fixed' | 'rolling';

export interface DailyQuota {
  /** True when the request at `t` (monotonic ms) may go, and it is counted. */
  take(t: number): boolean;
  /** Requests admitted in the current fixed day, or in the last day for a rolling one. */
  used(t: number): number;
}

class FixedDays implements DailyQuota {
  private day = -1;
  private count = 0;

  constructor(
    private readonly perDay: number,
    private readonly dayMs: number,
    private readonly origin: number,
  ) {}

  private roll(t: number): void {
    const day = Math.floor((t - this.origin) / this.dayMs);
    if (day !== this.day) {
      this.day = day;
      this.count = 0;
    }
  }

  take(t: number): boolean {
    this.roll(t);
    if (this.count >= this.perDay) return false;
    this.count++;
    return true;
  }

  used(t: number): number {
    this.roll(t);
    return this.count;
  }
}

class RollingDay implements DailyQuota {
  private readonly times: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(
    perDay: number,
    private readonly dayMs: number,
  ) {
    this.times = new Float64Array(perDay);
  }

  take(t: number): boolean {
    if (this.times.length === 0) return false;
    // The oldest of the last perDay admissions must have left the day.
    if (this.filled === this.times.length && this.times[this.next]! > t - this.dayMs) return false;
    this.times[this.next] = t;
    this.next = (this.next + 1) % this.times.length;
    this.filled = Math.min(this.filled + 1, this.times.length);
    return true;
  }

  used(t: number): number {
    let count = 0;
    for (let i = 0; i < this.filled; i++) if (this.times[i]! > t - this.dayMs) count++;
    return count;
  }
}

export function createDailyQuota(
  perDay: number,
  days: QuotaDays = 'fixed',
  dayLengthSec = 86_400,
  origin = 0,
): DailyQuota {
  const dayMs = dayLengthSec * 1000;
  return days === 'rolling' ? new RollingDay(perDay, dayMs) : new FixedDays(perDay, dayMs, origin);
}
