/**
 * The daily quota's days. By default UTC calendar days on the wall clock (PX does not say
 * when its day turns: px-api.md "Rate limits"). With a day length (`dayLengthSec`, for tests
 * and benchmarks that compress days), days of that length follow each other on the monotonic
 * clock from an origin: the start, a `reset()` or a change of the length. Counting from the
 * start rather than from epoch multiples makes day 0 a whole day, so a benchmark's "days used"
 * is exactly ceil(requests / quota).
 */

const DAY_MS = 86_400_000;

export interface QuotaDay {
  /** Index of the current day (a new index: a new quota). */
  day: number;
  /** Milliseconds until the current day ends. */
  msLeft: number;
}

export class QuotaDays {
  private origin: number;

  constructor(
    private lengthSec: number | undefined,
    private readonly clock: () => number,
    private readonly wallClock: () => number,
  ) {
    this.origin = clock();
  }

  /** A new length (undefined: calendar days); compressed days start again from now. */
  setLength(lengthSec: number | undefined): void {
    this.lengthSec = lengthSec;
    this.restart();
  }

  /** Compressed days start again from now (calendar days are unaffected). */
  restart(): void {
    this.origin = this.clock();
  }

  now(): QuotaDay {
    if (this.lengthSec === undefined) {
      const wall = this.wallClock();
      const day = Math.floor(wall / DAY_MS);
      return { day, msLeft: (day + 1) * DAY_MS - wall };
    }
    const length = this.lengthSec * 1000;
    const elapsed = Math.max(0, this.clock() - this.origin);
    const day = Math.floor(elapsed / length);
    return { day, msLeft: (day + 1) * length - elapsed };
  }
}
