/**
 * The shared, adaptive rate limiter in front of every request of a client:
 *
 * - bottleneck queues the requests by priority and caps those in flight (`maxConcurrent`); it
 *   does no timing (`minTime: 0`, no reservoir), since its own clock is `Date.now()`;
 * - `StartGate` lets each request start at the current rate, never two close together, never
 *   more than `floor(rate)` in a second, and never during a pause (`Retry-After`), all on the
 *   monotonic clock;
 * - `ControlLaw` sets the rate from the 429s and the answers (see control-law.ts for the law
 *   and the figures behind its constants).
 *
 * A `Retry-After` pauses every new start for its duration, whatever the law makes of the 429;
 * a 429 the law acts on without one pauses for `IMPLICIT_PAUSE_MS`.
 *
 * The in-flight cap follows the round trip (`InFlightSizer`, in-flight.ts: the law's rate × the
 * p90 of the latest answers, or of the requests still out when the cap is full, with headroom),
 * unless `concurrency` pins it; bottleneck takes each new cap with `updateSettings`, and
 * `onConcurrency` tells the transport (its sockets follow).
 */
import Bottleneck from 'bottleneck';
import { type MonotonicClock, monotonicNow } from './clock.js';
import { ControlLaw, type LawConstants, type LawMark, type LawState, type Verdict } from './control-law.js';
import { type InFlightBounds, InFlightSizer, type RequestOut, type RoundTrip } from './in-flight.js';
import { StartGate } from './start-gate.js';

export interface LimiterOptions {
  /** Requests per second to stay at or under. */
  rate: number;
  /**
   * Requests in flight at most: fixed, unless `inFlight` is given; then the cap before the first
   * answers, sized from the round trip after them.
   */
  concurrency: number;
  /** Size the in-flight cap from the round trip, within these bounds (in-flight.ts). */
  inFlight?: InFlightBounds;
  /** Told each new in-flight cap (the transport's sockets follow it). */
  onConcurrency?: (size: number) => void;
  /** The monotonic clock (tests). Default `performance.now()`. */
  clock?: MonotonicClock;
  /** Constants of the law (tests, experiments). Default `LAW`. */
  constants?: Partial<LawConstants>;
}

/**
 * Job priorities (bottleneck: 0 runs first). Rows already under way finish before new ones start;
 * the probe of a wait for PX (availability.ts) goes before the requests it holds back.
 */
export const PRIORITY = { probe: 0, retry: 3, next: 4, first: 5 } as const;

/** Pause after a 429 the law acted on, when it carries no `Retry-After`. */
const IMPLICIT_PAUSE_MS = 250;

/**
 * Bottleneck's in-memory datastore yields to the event loop with `setTimeout(0)` (at least 1 ms
 * in Node) at every step of every job, behind locks that take one job at a time: that caps a
 * limiter at about 430 jobs/s (measured on 2 vCPUs), far below the rates a load against the
 * emulator asks for. Yielding with `setImmediate` instead is still a macrotask (bottleneck's
 * steps keep their order) and lifts the cap above 12,000 jobs/s. 2.19.5 is bottleneck's last
 * release, so its internals do not move; if they are not what we expect, its own yield stays.
 *
 * Its datastore also spaces jobs from `_nextRequest`, a `Date.now()` time, even with
 * `minTime: 0`: after the wall clock steps back an hour, the next job would wait an hour. The
 * gate does all the timing, so `_nextRequest` is pinned in the past.
 */
function tameBottleneck(limiter: Bottleneck): void {
  const store = (limiter as unknown as { _store?: { yieldLoop?: unknown; _nextRequest?: unknown } })._store;
  if (!store) return;
  if (typeof store.yieldLoop === 'function' && store.yieldLoop.length <= 1) {
    store.yieldLoop = (ms = 0) =>
      new Promise<void>((resolve) => {
        if (ms > 0) setTimeout(resolve, ms);
        else setImmediate(resolve);
      });
  }
  if (typeof store._nextRequest === 'number') {
    Object.defineProperty(store, '_nextRequest', {
      get: () => Number.NEGATIVE_INFINITY,
      set: () => {},
      configurable: true,
    });
  }
}

export class LimiterStoppedError extends Error {
  override readonly name = 'LimiterStoppedError';
}

export class AdaptiveLimiter {
  readonly configuredRate: number;
  private readonly clock: MonotonicClock;
  private readonly law: ControlLaw;
  private readonly gate: StartGate;
  private readonly bottleneck: Bottleneck;
  private readonly sizer: InFlightSizer;
  private stopped = false;
  private readonly resizeListeners = new Set<(size: number) => void>();
  /** Called with each 429's verdict (tests, the bench's charts). */
  onVerdict: ((verdict: Verdict, state: LawState) => void) | undefined;

  constructor(options: LimiterOptions) {
    this.configuredRate = options.rate;
    this.clock = options.clock ?? monotonicNow;
    this.law = new ControlLaw(
      { max: options.rate, ...(options.constants ? { constants: options.constants } : {}) },
      this.clock(),
    );
    this.gate = new StartGate(Math.ceil(options.rate), (now) => this.law.rate(now), this.clock);
    this.sizer = new InFlightSizer({
      rate: () => this.currentRate,
      clock: this.clock,
      ...(options.inFlight ? { bounds: options.inFlight } : { pinned: options.concurrency }),
      onChange: (size) => this.resized(size, options.onConcurrency),
    });
    this.bottleneck = new Bottleneck({ maxConcurrent: this.sizer.size, minTime: 0 });
    tameBottleneck(this.bottleneck);
    // Bottleneck reports internal failures as events; without a listener they would be lost.
    this.bottleneck.on('error', () => {});
  }

  /** Requests in flight allowed now. */
  get concurrency(): number {
    return this.sizer.size;
  }

  /** The largest in-flight cap so far. */
  get peakConcurrency(): number {
    return this.sizer.peak;
  }

  /**
   * Tells `listener` each new in-flight cap (the sink takes in rows by it); returns the undo.
   * Called within a request's start: a listener that does more should defer it.
   */
  onResize(listener: (size: number) => void): () => void {
    this.resizeListeners.add(listener);
    return () => this.resizeListeners.delete(listener);
  }

  /** p50 and p90 of the latest answers' round trips. */
  roundTrip(): RoundTrip {
    return this.sizer.roundTrip();
  }

  /** An answer (any status, 429 included) came back `roundTripMs` after its request left. */
  answered(roundTripMs: number): void {
    if (!this.stopped) this.sizer.answered(roundTripMs);
  }

  private resized(size: number, notify: ((size: number) => void) | undefined): void {
    if (this.stopped) return;
    // Queued jobs start at once when the cap rises (bottleneck drains with the new capacity).
    // Typed as returning the limiter; 2.19.5 returns its datastore's promise.
    const updated: unknown = this.bottleneck.updateSettings({ maxConcurrent: size });
    if (updated instanceof Promise) updated.catch(() => {});
    notify?.(size);
    for (const listener of this.resizeListeners) listener(size);
  }

  /** Requests per second allowed right now. */
  get currentRate(): number {
    return this.law.rate(this.clock());
  }

  /** Increases at every 429 the law acts on; a request records it when it starts. */
  get epoch(): number {
    return this.law.epoch;
  }

  get paused(): boolean {
    return this.gate.paused;
  }

  /** The law's state (tests, the bench). */
  state(): LawState {
    return this.law.state(this.clock());
  }

  /**
   * Runs `job` when the rate, the in-flight cap and any pause allow. `job` receives the epoch
   * it started in (to report a 429 with `rateLimited`), and `sending`, to call at the moment the
   * request goes out: the window counts that moment. Stamped any earlier, a process that the
   * machine set aside between the stamp and the send (tens of milliseconds on a busy one) put
   * 151 requests on the wire within one second at 150/s. A job that never calls it is counted
   * at the moment it was let through.
   */
  async schedule<T>(
    job: (epoch: number, sending: () => void) => Promise<T>,
    priority: number = PRIORITY.first,
  ): Promise<T> {
    if (this.stopped) throw new LimiterStoppedError('limiter stopped');
    return this.bottleneck.schedule({ priority }, async () => {
      if (this.stopped) throw new LimiterStoppedError('limiter stopped');
      const start = await this.gate.acquire(priority);
      if (this.stopped) throw new LimiterStoppedError('limiter stopped');
      start();
      // The sizer counts the request from the moment it goes out to its end (the requests
      // still out bound the round trip from below: in-flight.ts).
      let out: RequestOut | undefined;
      const sending = () => {
        start();
        out ??= this.sizer.sent();
      };
      try {
        return await job(this.law.epoch, sending);
      } finally {
        if (out) this.sizer.done(out);
      }
    });
  }

  /** A 429 for a request started in `epoch`; `retryAfterMs` from its header, if any. */
  rateLimited(epoch: number, retryAfterMs: number | undefined): Verdict | undefined {
    if (this.stopped) return undefined;
    const now = this.clock();
    const verdict = this.law.throttled(now, epoch);
    const acted = verdict !== 'echo' && verdict !== 'noise';
    const pause =
      retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : acted ? IMPLICIT_PAUSE_MS : 0;
    if (pause > 0) {
      this.law.paused(now + pause);
      this.gate.pauseUntil(now + pause);
    }
    this.gate.changed();
    this.onVerdict?.(verdict, this.law.state(now));
    return verdict;
  }

  /** A request got an answer that is not a 429. */
  succeeded(): void {
    if (this.stopped) return;
    if (this.law.succeeded(this.clock())) this.gate.changed();
  }

  /** The law's level now, to restore after a wait for PX (availability.ts). */
  saveRate(): LawMark {
    return this.law.mark(this.clock());
  }

  /** A wait for PX ended: back to the level saved when it began (see `ControlLaw.restore`). */
  restoreRate(mark: LawMark): void {
    if (this.stopped) return;
    this.law.restore(mark, this.clock());
    this.gate.changed();
  }

  /** Drops every queued job (they reject with `LimiterStoppedError`); running ones go on. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.gate.close(new LimiterStoppedError('limiter stopped'));
    this.bottleneck.stop({ dropWaitingJobs: true }).catch(() => {});
  }
}
