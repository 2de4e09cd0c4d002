/**
 * The moment each request may start, on the monotonic clock. Requests wait here (highest
 * priority first, then in arrival order) and are let through one at a time:
 *
 * - never during a pause (a `Retry-After`);
 * - on a grid spaced `1000 / rate` ms, the rate read at each start (so a lower rate applies to
 *   the very next start). A timer that fires late does not lose the slot: the grid may run up
 *   to `CATCH_UP_MS` behind the clock, and the starts it owes go at once;
 * - never more than `floor(rate)` starts in any window of a second (`StartWindow`), which is
 *   what a sliding or a fixed one-second window on the server counts, catch-up included.
 *
 * Timers are Node's, which run on the monotonic clock; every time is `performance.now()`.
 */
import { type MonotonicClock, monotonicNow } from './clock.js';
import { StartWindow } from './start-window.js';

/**
 * How far the grid may lag behind the clock. A loaded machine fires timers late and starves a
 * process for tens to hundreds of milliseconds: without catch-up that time is lost at every
 * start, and 200/s became 177-188/s (load average 5 to 10 on 2 vCPUs). With 100 ms of catch-up
 * the budget landed was 0.97-0.98x at a load average of 6, and 0.81x at 15 to 20. The starts it
 * owes go at once (at most 50 at 200/s, the default in-flight cap), still within `floor(rate)`
 * per second; a longer stall is not made up.
 */
const CATCH_UP_MS = 250;

/** Marks the real start of a request let through (see `acquire`). */
export type Start = () => void;

interface Waiter {
  priority: number;
  seq: number;
  resolve: (start: Start) => void;
  reject: (error: Error) => void;
}

export class StartGate {
  private readonly waiters: Waiter[] = [];
  private seq = 0;
  private readonly window: StartWindow;
  private grid = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed: Error | undefined;

  constructor(
    capacity: number,
    private readonly rate: (now: number) => number,
    private readonly now: MonotonicClock = monotonicNow,
  ) {
    this.window = new StartWindow(capacity);
  }

  /** Requests waiting for their start. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** True while a pause holds every start. */
  get paused(): boolean {
    return this.now() < this.pausedUntil;
  }

  /**
   * Resolves when the request may start (lower `priority` first), with a `Start` to call at the
   * very moment it goes: the window then counts its real start, not the moment it was let through.
   */
  acquire(priority: number): Promise<Start> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise<Start>((resolve, reject) => {
      // Time with nobody waiting is not owed: the grid catches up on late timers, not on idleness.
      if (this.waiters.length === 0) this.grid = Math.max(this.grid, this.now());
      this.waiters.push({ priority, seq: this.seq++, resolve, reject });
      this.pump();
    });
  }

  /** Holds every start until `until` (monotonic ms); a shorter pause than the current one does nothing. */
  pauseUntil(until: number): void {
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.pump();
  }

  /** The rate changed: the next start is computed again. */
  changed(): void {
    this.pump();
  }

  /** Rejects every waiting request with `error`; later `acquire`s too. */
  close(error: Error): void {
    if (this.closed) return;
    this.closed = error;
    this.clearTimer();
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private pump(): void {
    if (this.closed) return;
    for (;;) {
      if (this.waiters.length === 0) {
        this.clearTimer();
        return;
      }
      const now = this.now();
      const at = this.nextStart(now);
      if (at > now) {
        this.wakeAt(at, now);
        return;
      }
      const rate = this.rate(now);
      // After a pause the grid starts again at its end: nothing is owed for the pause.
      this.grid = Math.max(this.grid, this.pausedUntil, now - CATCH_UP_MS) + 1000 / rate;
      const slot = this.window.record(now);
      this.take().resolve(() => this.window.started(slot, this.now()));
    }
  }

  private nextStart(now: number): number {
    const rate = this.rate(now);
    return Math.max(this.pausedUntil, this.grid, this.window.earliest(now, rate));
  }

  private take(): Waiter {
    let best = 0;
    for (let i = 1; i < this.waiters.length; i++) {
      const a = this.waiters[i]!;
      const b = this.waiters[best]!;
      if (a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq)) best = i;
    }
    return this.waiters.splice(best, 1)[0]!;
  }

  private wakeAt(at: number, now: number): void {
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    // A timer may fire up to a millisecond early against `performance.now()` (libuv's cached
    // loop time): `pump` then finds the moment not come and sets the timer again.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      Math.max(1, Math.ceil(at - now)),
    );
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }
}
