/**
 * The shared, adaptive rate limiter in front of every request of a client. Bottleneck spaces
 * request starts by `minTime = 1000 / rate` (so no one-second window holds more than `rate`
 * starts) and caps requests in flight (`maxConcurrent`). On top of it:
 *
 * - a 429 halves the rate for everyone (multiplicative decrease), at most once per 500 ms and
 *   once per "epoch": the 429s of requests started before the last decrease are echoes of the
 *   same overload and do not halve it again;
 * - a `Retry-After` pauses every new start until it has elapsed (reservoir 0 holds the queue;
 *   jobs that already had a slot when the pause began go back to the queue unsent); without
 *   one, the decrease comes with a short pause of our own;
 * - `StartWindow` checks every start against the current rate (see there);
 * - after a second's worth of successes the rate climbs back by a twentieth of the configured rate
 *   (additive increase), up to the configured rate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import { StartWindow } from './start-window.js';

export interface LimiterOptions {
  /** Requests per second to stay at or under. */
  rate: number;
  /** Requests in flight at most. */
  concurrency: number;
}

/** Job priorities (bottleneck: 0 runs first). Rows already under way finish before new ones start. */
export const PRIORITY = { retry: 3, next: 4, first: 5 } as const;

const DEFER = Symbol('defer');

/**
 * At most one decrease per this long: a token bucket that has run dry answers a few 429s
 * even at a fair rate, and halving for each would crash the rate to the floor.
 */
const DECREASE_COOLDOWN_MS = 500;

/** Pause after a decrease caused by a 429 without `Retry-After`. */
const IMPLICIT_PAUSE_MS = 250;

/** Spacing of request starts for `rate` per second. */
export function minTimeOf(rate: number): number {
  return 1000 / rate;
}

/**
 * Bottleneck's in-memory datastore yields to the event loop with `setTimeout(0)` (at least 1 ms
 * in Node) at every step of every job, behind locks that take one job at a time: that caps a
 * limiter at about 430 jobs/s (measured on 2 vCPUs), far below the rates a load against the
 * emulator asks for. Yielding with `setImmediate` instead is still a macrotask (bottleneck's
 * steps keep their order) and lifts the cap above 12,000 jobs/s. 2.19.5 is bottleneck's last
 * release, so its internals do not move; if they are not what we expect, its own yield stays.
 */
function fastYield(limiter: Bottleneck): void {
  const store = (limiter as unknown as { _store?: { yieldLoop?: unknown } })._store;
  if (!store || typeof store.yieldLoop !== 'function' || store.yieldLoop.length > 1) return;
  store.yieldLoop = (ms = 0) =>
    new Promise<void>((resolve) => {
      if (ms > 0) setTimeout(resolve, ms);
      else setImmediate(resolve);
    });
}

export class LimiterStoppedError extends Error {
  override readonly name = 'LimiterStoppedError';
}

export class AdaptiveLimiter {
  readonly configuredRate: number;
  private rate: number;
  private readonly floor: number;
  private readonly step: number;
  private readonly bottleneck: Bottleneck;
  private epochValue = 0;
  private lastDecrease = Number.NEGATIVE_INFINITY;
  private successes = 0;
  private pausedUntil = 0;
  private pauseTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly starts: StartWindow;

  constructor(options: LimiterOptions) {
    this.configuredRate = options.rate;
    this.rate = options.rate;
    // Never slower than one request per few seconds: a run must still make progress.
    this.floor = Math.min(options.rate, Math.max(0.2, options.rate / 64));
    this.step = Math.max(options.rate / 20, 0.2);
    this.bottleneck = new Bottleneck({
      maxConcurrent: options.concurrency,
      minTime: minTimeOf(options.rate),
    });
    this.starts = new StartWindow(options.rate);
    fastYield(this.bottleneck);
    // Bottleneck reports internal failures as events; without a listener they would be lost.
    this.bottleneck.on('error', () => {});
  }

  /** Requests per second allowed right now. */
  get currentRate(): number {
    return this.rate;
  }

  /** Increases on every decrease of the rate; a request records it when it starts. */
  get epoch(): number {
    return this.epochValue;
  }

  get paused(): boolean {
    return Date.now() < this.pausedUntil;
  }

  /**
   * Runs `job` when the rate, the in-flight cap and any pause allow. `job` receives the epoch
   * it started in (to report a 429 with `rateLimited`).
   */
  async schedule<T>(job: (epoch: number) => Promise<T>, priority: number = PRIORITY.first): Promise<T> {
    for (;;) {
      if (this.stopped) throw new LimiterStoppedError('limiter stopped');
      const result = await this.bottleneck.schedule({ priority }, async () => {
        if (this.stopped) throw new LimiterStoppedError('limiter stopped');
        // A job that got its slot before a pause began must not go out during the pause.
        if (this.paused) return DEFER;
        // Bottleneck's spacing, checked: see `StartWindow`.
        const { at, slot } = this.starts.reserve(performance.now(), this.rate);
        // A timer can fire up to a millisecond early against `performance.now()` (libuv's
        // cached loop time), so wait until the booked moment has really come.
        for (let now = performance.now(); now < at; now = performance.now()) {
          await sleep(Math.ceil(at - now));
          if (this.stopped) throw new LimiterStoppedError('limiter stopped');
          if (this.paused) return DEFER;
        }
        this.starts.started(slot, performance.now());
        return { value: await job(this.epochValue) };
      });
      if (result !== DEFER) return result.value;
      priority = Math.min(priority, PRIORITY.retry);
    }
  }

  /** A 429 for a request started in `epoch`; `retryAfterMs` from its header, if any. */
  rateLimited(epoch: number, retryAfterMs: number | undefined): void {
    if (this.stopped) return;
    this.successes = 0;
    const now = Date.now();
    if (epoch === this.epochValue && now - this.lastDecrease >= DECREASE_COOLDOWN_MS) {
      this.epochValue++;
      this.lastDecrease = now;
      this.setRate(Math.max(this.floor, this.rate / 2));
      // No Retry-After: a short pause of our own lets the server's bucket refill a little.
      if (retryAfterMs === undefined) this.pause(IMPLICIT_PAUSE_MS);
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.pause(retryAfterMs);
  }

  /** A request got an answer that is not a 429: after enough of them, speed up a step. */
  succeeded(): void {
    if (this.stopped || this.rate >= this.configuredRate) return;
    // About a second of traffic at the current rate, at least a few requests.
    if (++this.successes < Math.max(5, Math.ceil(this.rate))) return;
    this.successes = 0;
    this.setRate(Math.min(this.configuredRate, this.rate + this.step));
  }

  /** Drops every queued job (they reject with `LimiterStoppedError`); running ones go on. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.pauseTimer);
    this.bottleneck.stop({ dropWaitingJobs: true }).catch(() => {});
  }

  private setRate(rate: number): void {
    if (rate === this.rate) return;
    this.rate = rate;
    this.update({ minTime: minTimeOf(rate) });
  }

  private pause(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.pausedUntil) return;
    const wasPaused = this.paused;
    this.pausedUntil = until;
    clearTimeout(this.pauseTimer);
    if (!wasPaused) this.update({ reservoir: 0 });
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = undefined;
      if (!this.stopped) this.update({ reservoir: null });
    }, ms);
  }

  private update(settings: Bottleneck.ConstructorOptions): void {
    if (this.stopped) return;
    // Typed as returning the limiter, but it is async (it yields to the event loop first).
    Promise.resolve(this.bottleneck.updateSettings(settings) as unknown).catch(() => {});
  }
}
