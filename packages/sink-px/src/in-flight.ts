/**
 * How many requests may be in flight at once, sized from the round trip the client measures.
 *
 * THE LAW. Little's law: requests in flight = arrival rate × time each one stays. To send at the
 * limiter's rate R with answers taking T seconds, R × T requests must be on the wire; fewer, and
 * the in-flight cap, not PX's budget, sets the pace. Measured before this sizer (4,000 updates,
 * --rate 200 against a PX allowing 200/s, the cap fixed at rate × 0.25 = 50): answers in 400 ms
 * landed 0.60x of the budget, answers in 1,000 ms 0.24x: 50 in flight where 80 and 200 were
 * needed. So the cap is
 *
 *     size = ceil(R × max(p90, FLOOR) × HEADROOM), kept within [min, max],
 *
 * with R the control law's rate at that moment (`ControlLaw.rate`), never the rate of 429s: the
 * law owns the rate, and this cap must only never be the bottleneck. A 429 never raises it (a
 * cut lowers R, so the size), and timeouts and resets are not answers: they are not measured.
 *
 * THE CONSTANTS.
 * - p90 of the latest `window` (128) answers, every status: Little's law wants the mean, but
 *   the latest answers say it late (a slower PX shows only once its slow answers are back) and
 *   jitter spreads them; the 90th percentile covers both. 128 answers are 0.64 s at 200/s, and
 *   their 13th slowest is a steady figure (one stray slow answer does not move it).
 * - HEADROOM 1.25: the rate rises between two sizings (the law's concave rise, 140 to 197/s in
 *   2 s after a cut) and round trips grow between the answers that show it; a quarter more
 *   covers both. At 400 ms ± 100 the cap is 200 × 0.49 × 1.25 = 123 where Little needs 90.
 * - FLOOR 200 ms: a round trip under it is sized as 200 ms. With the headroom that is the old
 *   default (rate × 0.25: 38 at 150/s, 50 at 200/s), under which bench case 7's rows at 40 ms
 *   were measured (0.957x to 0.993x). A p90 of past answers cannot see the 100-200 ms stalls
 *   of a busy 2-vCPU machine coming (control-law.ts); the slack absorbs them, for a few idle
 *   connections.
 * - Bounds 8 to 512 (`DEFAULT_BOUNDS`): 8 keeps a few connections for a low rate (below 32/s);
 *   512 covers PX's 200/s at a p90 of 2 s (200 × 2 × 1.25 = 500). Slower answers are not
 *   distance but a PX in trouble: more requests on the wire would only put more rows in doubt
 *   if it fails. Against a server that is itself the bottleneck (the emulator at --rate
 *   100000), queueing lengthens the round trip as requests are added and the size goes to the
 *   bound: 512 requests and 1,024 pending rows (`maxPending`, twice the cap) cost about
 *   (measured) `MEMORY_NOTE` below.
 * - Before any answer the round trip is taken to be 1 s (`ASSUMED_ROUND_TRIP_MS`: 250 at
 *   200/s): any PX within 1.25 s is never held back at the start; a farther one stalls once,
 *   until its first answers come back.
 * - Grows at once, shrinks after `holdMs` (2 s): the size is the largest any sizing of the
 *   last 2 s asked for. Answers come back fastest first (after the start, or when PX slows
 *   down, the slow ones are still out), so a low figure is trusted only once it has lasted.
 *   Sized at most every `refreshMs` (100 ms: one sort of 128 numbers; the first answer at once).
 *
 * MEMORY_NOTE: see the README ("How many requests are in flight") for the figures measured at
 * the bound.
 */
import type { MonotonicClock } from './clock.js';

export interface InFlightBounds {
  min: number;
  max: number;
}

export interface InFlightConstants {
  /** Share of the latest answers the round trip covers (0.9: the p90). */
  quantile: number;
  /** Answers the round trip is taken from. */
  window: number;
  /** In flight = rate × round trip × this. */
  headroom: number;
  /** Round trips under this are sized as this. */
  floorMs: number;
  /** The round trip assumed before the first answer. */
  assumedRoundTripMs: number;
  /** A size is kept this long after a sizing asked for it (shrinking waits this long). */
  holdMs: number;
  /** Sized at most this often. */
  refreshMs: number;
}

export const IN_FLIGHT: Readonly<InFlightConstants> = {
  quantile: 0.9,
  window: 128,
  headroom: 1.25,
  floorMs: 200,
  assumedRoundTripMs: 1000,
  holdMs: 2000,
  refreshMs: 100,
};

export const DEFAULT_BOUNDS: Readonly<InFlightBounds> = { min: 8, max: 512 };

/** The round trip of the latest answers, in ms (0 before any). */
export interface RoundTrip {
  p50: number;
  p90: number;
}

/** Requests in flight for `rate` requests/s at a round trip of `roundTripMs`, within `bounds`. */
export function inFlightFor(
  rate: number,
  roundTripMs: number,
  bounds: InFlightBounds = DEFAULT_BOUNDS,
  k: InFlightConstants = IN_FLIGHT,
): number {
  const wanted = Math.ceil(((rate * Math.max(roundTripMs, k.floorMs)) / 1000) * k.headroom);
  return Math.min(bounds.max, Math.max(bounds.min, Number.isFinite(wanted) ? wanted : bounds.max));
}

/** Requests in flight before any round trip is measured: sized for `assumedRoundTripMs`. */
export function initialInFlight(rate: number, bounds: InFlightBounds = DEFAULT_BOUNDS): number {
  return inFlightFor(rate, IN_FLIGHT.assumedRoundTripMs, bounds);
}

export interface InFlightOptions {
  /** Requests per second allowed now (the control law's). */
  rate: () => number;
  clock: MonotonicClock;
  /** A fixed size (`concurrency` given): the round trip is still measured, the size never moves. */
  pinned?: number;
  /** Default `DEFAULT_BOUNDS`. */
  bounds?: InFlightBounds;
  /** Tests, experiments. Default `IN_FLIGHT`. */
  constants?: Partial<InFlightConstants>;
  /** Called with each new size. */
  onChange?: (size: number) => void;
}

export class InFlightSizer {
  private readonly k: InFlightConstants;
  private readonly bounds: InFlightBounds;
  private readonly rate: () => number;
  private readonly clock: MonotonicClock;
  private readonly pinned: boolean;
  private readonly onChange: ((size: number) => void) | undefined;
  private readonly ring: Float64Array;
  private next = 0;
  private filled = 0;
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private figures: RoundTrip = { p50: 0, p90: 0 };
  /** Sizings still held, oldest first, sizes decreasing: the first is the size. */
  private held: Array<{ at: number; size: number }> = [];
  private current: number;
  private highest: number;

  constructor(options: InFlightOptions) {
    this.k = { ...IN_FLIGHT, ...options.constants };
    this.bounds = options.bounds ?? DEFAULT_BOUNDS;
    this.rate = options.rate;
    this.clock = options.clock;
    this.pinned = options.pinned !== undefined;
    this.onChange = options.onChange;
    this.ring = new Float64Array(Math.max(1, this.k.window));
    this.current = options.pinned ?? inFlightFor(this.rate(), this.k.assumedRoundTripMs, this.bounds, this.k);
    this.highest = this.current;
  }

  /** Requests in flight allowed now. */
  get size(): number {
    return this.current;
  }

  /** The largest size so far. */
  get peak(): number {
    return this.highest;
  }

  /** p50 and p90 of the latest answers' round trips (as of the last sizing). */
  roundTrip(): RoundTrip {
    return { ...this.figures };
  }

  /** An answer (any HTTP status) came back `roundTripMs` after its request left. */
  answered(roundTripMs: number): void {
    this.ring[this.next] = roundTripMs;
    this.next = (this.next + 1) % this.ring.length;
    if (this.filled < this.ring.length) this.filled++;
    const now = this.clock();
    if (now - this.refreshedAt < this.k.refreshMs) return;
    if (this.refreshedAt === Number.NEGATIVE_INFINITY && !this.pinned) {
      // The assumed size holds from the first answer, like any sizing: the first answers are
      // the fastest of those sent.
      this.held.push({ at: now, size: this.current });
    }
    this.refreshedAt = now;
    const sorted = this.ring.slice(0, this.filled).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    const round = (ms: number) => Math.round(ms * 10) / 10;
    const p90 = at(this.k.quantile);
    this.figures = { p50: round(at(0.5)), p90: round(p90) };
    if (this.pinned) return;
    this.hold(now, inFlightFor(this.rate(), p90, this.bounds, this.k));
  }

  private hold(now: number, size: number): void {
    const held = this.held;
    while (held.length > 0 && held.at(-1)!.size <= size) held.pop();
    held.push({ at: now, size });
    while (held.length > 1 && now - held[0]!.at >= this.k.holdMs) held.shift();
    const next = held[0]!.size;
    if (next === this.current) return;
    this.current = next;
    if (next > this.highest) this.highest = next;
    this.onChange?.(next);
  }
}
