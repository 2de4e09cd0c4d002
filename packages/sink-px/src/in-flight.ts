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
 *     size = ceil(R × max(T, FLOOR) × HEADROOM), kept within [min, max],
 *
 * with R the control law's rate at that moment (`ControlLaw.rate`), never the rate of 429s: the
 * law owns the rate, and this cap must only never be the bottleneck. A 429 never raises it (a
 * cut lowers R, so the size), and timeouts and resets are not answers: they are not measured.
 * T is the p90 of the latest answers, or more when the requests still out say so (below).
 *
 * THE CONSTANTS.
 * - p90 of the latest `window` (128) answers, every status: Little's law wants the mean, but
 *   the latest answers say it late (a slower PX shows only once its slow answers are back) and
 *   jitter spreads them; the 90th percentile covers both. 128 answers are 0.64 s at 200/s, and
 *   their 13th slowest is a steady figure (one stray slow answer does not move it).
 * - HEADROOM 1.25: the rate rises between two sizings (the law's concave rise, 140 to 197/s in
 *   2 s after a cut) and round trips grow between the answers that show it; a quarter more
 *   covers both. At 400 to 500 ms the cap is 200 × 0.49 × 1.25 = 123 where Little needs 90.
 * - FLOOR 200 ms: a round trip under it is sized as 200 ms. With the headroom that is the old
 *   default (rate × 0.25: 38 at 150/s, 50 at 200/s), under which bench case 7's rows at 40 ms
 *   were measured (0.957x to 0.993x). A p90 of past answers cannot see the 100-200 ms stalls
 *   of a busy 2-vCPU machine coming (control-law.ts); the slack absorbs them, for a few idle
 *   connections.
 * - THE START, and a PX that slows down: the cap starts at the floor (50 at 200/s), and a
 *   request still out after A ms says the round trip is at least A. When a request takes the
 *   last place under the cap, T is at least the age of the tenth of those out that left first
 *   (the p90 of the requests out, as far as known yet; not the oldest: one request stuck until
 *   its timeout would take the cap to the bound). Requests leave at R, so at the start that
 *   fills a cap S the first tenth left (S - S/10) / R ago, and the cap becomes
 *   R × 0.9 S / R × 1.25 = 1.125 S: it stays ahead of the starts and never holds them back, from
 *   the first request on, however far PX is, before any answer (a PX 1 s away: 50, 57, 64, ...
 *   250 at 1 s, when the first answers come). A PX 40 ms away never fills it: the cap stays at
 *   the floor, and so do the rows the sink takes in (twice the cap) and, for events, the rows
 *   marked as maybe sent, in doubt after a crash. (Sized at first for a 1 s round trip, 250 at
 *   200/s held 2 s, a near load began with 500 rows taken in, and a kill -9 of an events load
 *   at 300/s left 162 events in doubt; from the floor, 75.)
 * - Bounds 8 to 512 (`DEFAULT_BOUNDS`): 8 keeps a few connections for a low rate (below 32/s);
 *   512 covers PX's 200/s at a p90 of 2 s (200 × 2 × 1.25 = 500). Slower answers are not
 *   distance but a PX in trouble: more requests on the wire would only put more rows in doubt
 *   if it fails. At --rate 100000 (the emulator without a limit: bench cases 2b to 4) the
 *   floor alone is past the bound: 512 requests on the wire and 1,024 rows taken in, about
 *   11 MB of heap (measured: 5 KB a row taken in, 11 KB more while its request is out; the
 *   CLI's peak RSS 107 MB where 64 in flight made 99 MB: the README, "How many requests are in
 *   flight").
 * - Grows at once, shrinks after `holdMs` (2 s): the size is the largest any sizing of the
 *   last 2 s asked for. Answers come back fastest first (after the start, or when PX slows
 *   down, the slow ones are still out), so a low figure is trusted only once it has lasted.
 *   Sized from the answers at most every `refreshMs` (100 ms: one sort of 128 numbers; the
 *   first answer at once), from the requests out at each start that fills the cap.
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
  /** Round trips under this are sized as this (the size before any answer). */
  floorMs: number;
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

/** Requests in flight before any round trip is measured: the floor's (rate × 0.25). */
export function initialInFlight(rate: number, bounds: InFlightBounds = DEFAULT_BOUNDS): number {
  return inFlightFor(rate, 0, bounds);
}

/** A request on the wire, from `InFlightSizer.sent` to `InFlightSizer.done`. */
export interface RequestOut {
  /** When it left (the sizer's clock). */
  readonly at: number;
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
  /** The p90 of the latest answers at the last sizing (0 before any), unrounded. */
  private p90 = 0;
  private figures: RoundTrip = { p50: 0, p90: 0 };
  /** Requests on the wire, in the order they left (a Set iterates in insertion order). */
  private readonly out = new Set<RequestOut>();
  /** Sizings still held, oldest first, sizes decreasing: the first is the size. */
  private readonly held: Array<{ at: number; size: number }> = [];
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
    this.current = options.pinned ?? inFlightFor(this.rate(), 0, this.bounds, this.k);
    this.highest = this.current;
    if (!this.pinned) this.held.push({ at: this.clock(), size: this.current });
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

  /**
   * A request leaves now; hand what this returns to `done` when it ends, answered or not. The
   * one that takes the last place under the cap sizes it from the requests out.
   */
  sent(): RequestOut {
    const request: RequestOut = { at: this.clock() };
    if (this.pinned) return request;
    this.out.add(request);
    if (this.out.size >= this.current && this.current < this.bounds.max) this.sizeFromRequestsOut(request.at);
    return request;
  }

  /** The request `sent` returned ended (an answer, a failure, or never sent after all). */
  done(request: RequestOut): void {
    this.out.delete(request);
  }

  /** An answer (any HTTP status) came back `roundTripMs` after its request left. */
  answered(roundTripMs: number): void {
    this.ring[this.next] = roundTripMs;
    this.next = (this.next + 1) % this.ring.length;
    if (this.filled < this.ring.length) this.filled++;
    const now = this.clock();
    if (now - this.refreshedAt < this.k.refreshMs) return;
    this.refreshedAt = now;
    const sorted = this.ring.slice(0, this.filled).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    const round = (ms: number) => Math.round(ms * 10) / 10;
    this.p90 = at(this.k.quantile);
    this.figures = { p50: round(at(0.5)), p90: round(this.p90) };
    if (this.pinned) return;
    this.hold(now, inFlightFor(this.rate(), this.p90, this.bounds, this.k));
  }

  /**
   * The cap is full: the round trip is at least the age of the first tenth of the requests out
   * (those that left first), whatever the answers said so far.
   */
  private sizeFromRequestsOut(now: number): void {
    const nth = Math.max(1, Math.ceil((1 - this.k.quantile) * this.out.size));
    let seen = 0;
    let age = 0;
    for (const request of this.out) {
      if (++seen === nth) {
        age = now - request.at;
        break;
      }
    }
    this.hold(now, inFlightFor(this.rate(), Math.max(this.p90, age), this.bounds, this.k));
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
