/**
 * The peer's per-second limits, written from px-api.md ("about 200 requests per second ... the
 * limiter's shape is not documented: a token bucket, a sliding or a fixed one-second window are
 * all possible, and the budget is shared with every other client"), independently of the
 * emulator. Each `take(t)` answers 0 (admitted) or the seconds to wait; `t` is this process's
 * monotonic milliseconds.
 */

export type Shape = 'sliding' | 'fixed' | 'bucket';

export interface Limit {
  take(t: number): number;
}

/**
 * A sliding window kept as counts per millisecond: a ring of 1,000 one-millisecond cells and a
 * running total. A request at `t` is admitted when the cells of (t - 1000, t] hold fewer than
 * `perSecond`. The wait of a refused one is until the oldest counted millisecond leaves.
 */
export class MillisecondWindow implements Limit {
  private readonly cells = new Uint32Array(1000);
  private total = 0;
  /** The newest millisecond counted so far (cells older than 1000 ms are emptied on the way). */
  private head = -1;

  constructor(private readonly perSecond: number) {}

  take(t: number): number {
    const ms = Math.floor(t);
    this.advance(ms);
    if (this.total >= this.perSecond) {
      for (let back = 999; back >= 0; back--) {
        if (this.cells[(ms - back) % 1000]! > 0) return (1000 - back) / 1000;
      }
      return 1;
    }
    this.cells[ms % 1000]!++;
    this.total++;
    return 0;
  }

  private advance(ms: number): void {
    if (this.head < 0) this.head = ms - 1;
    if (ms <= this.head) return;
    const steps = Math.min(1000, ms - this.head);
    for (let i = 1; i <= steps; i++) {
      const cell = (this.head + i) % 1000;
      this.total -= this.cells[cell]!;
      this.cells[cell] = 0;
    }
    this.head = ms;
  }
}

/**
 * A fixed window: a counter per whole second of this server's own clock (second 0 starts when
 * the server starts, so its boundaries fall where they fall, not on the calendar's).
 */
export class SecondCounter implements Limit {
  private second = -1;
  private used = 0;

  constructor(private readonly perSecond: number) {}

  take(t: number): number {
    const second = Math.floor(t / 1000);
    if (second !== this.second) {
      this.second = second;
      this.used = 0;
    }
    if (this.used >= this.perSecond) return second + 1 - t / 1000;
    this.used++;
    return 0;
  }
}

/** A token bucket of `burst` tokens refilled continuously at `perSecond`. */
export class Bucket implements Limit {
  private tokens: number;
  private at = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(t: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.at) * this.perSecond) / 1000);
    this.at = t;
    if (this.tokens >= 1) {
      this.tokens--;
      return 0;
    }
    return (1 - this.tokens) / this.perSecond;
  }
}

export function createLimit(shape: Shape, perSecond: number, burst = perSecond): Limit {
  if (shape === 'sliding') return new MillisecondWindow(perSecond);
  if (shape === 'fixed') return new SecondCounter(perSecond);
  return new Bucket(perSecond, burst);
}

/** Requests of the whole key per second of this server's clock, for charts. */
export interface Second {
  second: number;
  admitted: number;
  limited: number;
  throttled: number;
  otherAdmitted: number;
  otherRefused: number;
  faults: number;
  /** Requests refused while the peer was down (outage.ts). */
  down: number;
}

export class Timeline {
  readonly seconds: Second[] = [];

  constructor(private readonly origin: number) {}

  count(t: number, field: Exclude<keyof Second, 'second'>): void {
    const second = Math.max(0, Math.floor((t - this.origin) / 1000));
    while (this.seconds.length <= second) {
      this.seconds.push({
        second: this.seconds.length,
        admitted: 0,
        limited: 0,
        throttled: 0,
        otherAdmitted: 0,
        otherRefused: 0,
        faults: 0,
        down: 0,
      });
    }
    this.seconds[second]![field]++;
  }
}

/**
 * Another integration on the same key: a real timer every 5 ms sends (to the limit only) the
 * requests due since the last tick, `perSecond` a second on average. It never retries.
 */
export function startOtherClient(
  perSecond: number,
  now: () => number,
  limit: Limit,
  timeline: Timeline,
): () => void {
  const start = now();
  let sent = 0;
  const timer = setInterval(() => {
    const t = now();
    const due = Math.floor(((t - start) * perSecond) / 1000);
    for (; sent < due; sent++) {
      timeline.count(t, limit.take(t) === 0 ? 'otherAdmitted' : 'otherRefused');
    }
  }, 5);
  return () => clearInterval(timer);
}
