/**
 * The control law: how fast a client may send, from the 429s and the answers it gets.
 *
 * THE REFERENCE. The AWS SDKs' adaptive retry mode (botocore `retries/adaptive.py`,
 * `throttling.py`) is CUBIC (RFC 9438) applied to a request rate: on every throttling error the
 * rate becomes beta × the measured sending rate (beta = 0.7) and that rate is remembered as
 * W_max; then it grows as W(t) = C (t - K)³ + W_max with C = 0.4 and K = ∛(W_max (1 - beta) / C),
 * concave back to W_max (fast at first, flat near it) and convex above it. Timed on `time.time()`.
 * Against PX it does badly, for four reasons measured here (2 vCPUs, emulator in its own process,
 * 40 ms latency):
 *
 * 1. Every 429 of PX's windows (and the emulator's) carries `Retry-After` of at least 1 s, and
 *    honouring it pauses every start: a 429 costs a second of the budget (200 requests at 200/s,
 *    0.7% of a 150 s load) whatever the decrease. The law must make few 429s, not recover fast.
 * 2. botocore returns to W_max, the level that failed. Against a strict window that level fails
 *    again: the sawtooth costs a pause every K + a few seconds (K = 5.3 s at 200/s).
 * 3. A fixed-rate probe of the emulator's sliding window at 200/s got 429s in 14 of 60 half-
 *    seconds (delivery jitter beats a 5 ms margin); at 196, 192 and 188/s none in 30 s each.
 *    A 429 at a level that held for long is mostly jitter at the edge: a 0.7 cut is a waste.
 * 4. Random throttles (2% of requests, Retry-After 1) come every 50 requests at any rate: every
 *    one is a decrease for botocore, and its rate sinks to where K fits between two of them.
 * Simulated on the bench's cases (bench/src/law-sim: the same gate, servers and delivery jitter
 * fitted to the probe in 3), botocore's law lands 0.81x of 200 on a sliding window, 0.71x of the
 * 100 left beside another client, and needs 193 s for the faults case; this law 0.95x, 0.94x and
 * 85 s. The measured figures are in bench/RESULTS.md (case 7).
 *
 * THE LAW. Levels, epochs and proofs:
 * - A level is PROVEN when it held for `proofMs` (1 s: the longest window a PX limiter counts)
 *   of quiet sending (no 429 the law acted on, no pause) with at least 20 answers. The configured
 *   rate counts as proven at the start (the user's word for PX's budget).
 * - Each 429 the law acts on starts a new EPOCH; 429s of requests started before it are echoes of
 *   the same overload and change nothing (as before). A `Retry-After` pauses every new start for
 *   its duration (the limiter does it) and is never a second decrease: the law decides the rate
 *   once per epoch, whatever the header.
 * On a 429 of the current epoch, at level L:
 * - TRIM: L has been proven: trim by the MARGIN (1.5%) and watch. Jitter at a window's edge
 *   costs that (and its pause). `margin`: the fixed-rate probe above (200 fails, 196 holds).
 *   Trims go at most two margins below the level of the first trim of a series (HOLD after
 *   that: the pause only): under a load average of 6 to 13, a 2-vCPU machine stalls the server
 *   for 100 ms and more now and then, which compresses 20 arrivals into one instant and makes a
 *   429 a second later at any level within 10% of the limit. Unbounded, each such 429 trimmed
 *   1.5% and the rate sank from 200 to 179 in 150 s (0.85x of the budget, 15 429s).
 * - CUT (beta = 0.7, botocore's): a second 429 within `confirmMs` (1.5 s of sending after the
 *   trim's pause), or a 429 at an unproven level, is an overload: a descent step. Another client
 *   taking half a sliding window (100 of 200/s) answers the next 429 0.5 s after the pause, once
 *   the 100 left are used; a token bucket of 200 refills 100 tokens in the pause, gone in 1 s at
 *   196/s. Jitter 429s at the edge came seconds apart, and a longer watch (2.5 s) took pairs of
 *   them for overloads. The cut level is held (no growth) until it is proven, and for at least
 *   three mean gaps between the 429s seen so far (in the descent, or in the latest 256 answers):
 *   200 -> 140 -> 98 finds the 100 left in two steps. A descent that starts within 10 s of the
 *   end of the last one carries it on (same start, same counts).
 * - RISE: once the cut level is proven, the rate rises over `riseMs` (2 s; botocore's K is 5.3 s
 *   at 200/s) to the plateau, margin below the lowest level that failed: concave, CUBIC's
 *   (fast at first, flat near it).
 * - RETURN: a level that fails while rising or probing, above the last proven level, goes back
 *   to that level at once (at most margin below the failure): "the last level that worked".
 * - PROBE: after `holdMs` at the plateau, a convex probe: plateau × (1 + gain t³), gain = 1.5% in
 *   20 s. Each failure within 3% of the previous failed level (the same ceiling) divides the gain
 *   by 8 (at most 5 times): 20 s, 40 s, 80 s... to climb the margin again. Probing is how a freed
 *   budget is found (another client leaves), slowly, since each failed probe costs a pause.
 * - NOISE: 429s that do not thin out as the rate falls are not caused by the rate. A descent that
 *   reaches `noiseDepth` (0.25, four cuts) of where it started without a proven level goes back to
 *   that level, and for `noiseMs` (30 s) ignores 429s while their share of the latest 256 answers
 *   stays within max(2 s, s + 2%) of the share s seen in the descent. (The three mean gaps a cut
 *   level must hold, and carrying a descent on, are what make this work: random throttles let a
 *   level hold that long once in twenty times, e^-3. With one second of quiet as the proof, and
 *   each descent on its own, 2% throttles at --rate 400 ended descents by luck, and the rate sank
 *   to 6/s in one simulated run of three: 552 s for the faults case.)
 *   With 2% random throttles at --rate 400 the rate stays at 400, so every Retry-After is the only
 *   cost (about 44 requests/s); a real limit below a quarter of the rate is taken for noise, which
 *   then costs a pause per 429 (the server's Retry-After still protects it) until the 30 s end.
 *   Unless the 429s were many: a descent in which more than `noiseMaxShare` (20%) of the answers
 *   were 429s is an overload whatever its depth (a limit far below the configured rate). Without
 *   this, PX at 40/s with a burst of 2 against --rate 400 (about half the answers 429s all the
 *   way down) was taken for noise every 30 s: 2 requests/s landed of the 40. Random throttles
 *   of up to about 10% stay below it.
 * All times are monotonic milliseconds given by the caller (`performance.now()` in the limiter),
 * so neither NTP nor a sleeping laptop can stall or burst it.
 */
import { AnswerWindow, flat, levelAt, type RateCurve } from './rate-curve.js';

export interface LawConstants {
  /** Multiplicative decrease on an overload (botocore: 0.7). */
  beta: number;
  /** Fraction below a failed level where the law settles (its margin for delivery jitter). */
  margin: number;
  /** Quiet sending that proves a level. */
  proofMs: number;
  /** A second 429 within this much sending time after a trim confirms an overload. */
  confirmMs: number;
  /** The concave rise from a proven cut level to the plateau takes this long. */
  riseMs: number;
  /** A level is held this long before probing above it. */
  holdMs: number;
  /** Relative cubic gain of the probe, per second cubed. */
  probeGain: number;
  /** Each failure at the same ceiling divides the probe gain by this... */
  probeSlowdown: number;
  /** ...at most this many times. */
  maxSlowdowns: number;
  /** Failed levels within this fraction of each other are the same ceiling. */
  sameCeiling: number;
  /** A descent reaching this fraction of its start without a proven level found noise. */
  noiseDepth: number;
  /** How long 429s within the noise share are ignored, before testing again. */
  noiseMs: number;
  /** A descent whose 429 share is above this is an overload, however deep: never noise. */
  noiseMaxShare: number;
  /** Answers over which the recent 429 share is measured. */
  noiseWindow: number;
}

export const LAW: Readonly<LawConstants> = {
  beta: 0.7,
  margin: 0.015,
  proofMs: 1000,
  confirmMs: 1500,
  riseMs: 2000,
  holdMs: 1000,
  probeGain: 0.015 / 20 ** 3,
  probeSlowdown: 8,
  maxSlowdowns: 5,
  sameCeiling: 0.03,
  noiseDepth: 0.25,
  noiseMs: 30_000,
  noiseMaxShare: 0.2,
  noiseWindow: 256,
};

/** What the law made of a 429 (see the comment above). */
export type Verdict = 'echo' | 'noise' | 'hold' | 'trim' | 'return' | 'cut' | 'noise-found';

/**
 * The law's level and what it learnt of PX's ceiling, saved when PX starts failing everything
 * and restored when a wait for PX ends (availability.ts): the wait's 429s are not the rate's.
 */
export interface LawMark {
  rate: number;
  ceiling: number | undefined;
  slowdowns: number;
  /** The level had been proven (held quietly for `proofMs`): a 429 at it trims, not cuts. */
  proven: boolean;
}

export interface LawState {
  rate: number;
  epoch: number;
  /** The lowest level that failed last (W_max), and the probe slowdowns it earned. */
  ceiling: number | undefined;
  slowdowns: number;
  descending: boolean;
  /** The share of 429s taken for noise, while noise mode lasts. */
  noise: number | undefined;
}

/** The minimum answers of a proof. */
const PROOF_ANSWERS = 20;

/** A descent that starts within this long of the end of the last one carries it on. */
const CHAIN_MS = 10_000;

interface Descent {
  from: number;
  answers: number;
  throttles: number;
  /** Answers the cut level must hold to end the descent. */
  proof: number;
}

export class ControlLaw {
  readonly max: number;
  readonly floor: number;
  private readonly k: LawConstants;
  private curve: RateCurve;
  private epochValue = 0;
  /** Start of the current quiet period (the last 429 acted on, or the end of the last pause). */
  private quietSince: number;
  private answersSinceQuiet = 0;
  private ceiling: number | undefined;
  private slowdowns = 0;
  /** A trim under watch, since (the end of its pause). */
  private suspect: { level: number; at: number } | undefined;
  /** The level of the first trim of a series: trims go at most `2 × margin` below it. */
  private trimmedFrom: number | undefined;
  /** Where a descent started, its answers and 429s, and the answers a cut level must hold. */
  private descent: Descent | undefined;
  /** The last descent, and when it ended: one that starts soon after carries it on. */
  private lastDescent: { descent: Descent; ended: number } | undefined;
  private noise: { share: number; until: number } | undefined;
  private recent: AnswerWindow;

  constructor(options: { max: number; floor?: number; constants?: Partial<LawConstants> }, now: number) {
    this.max = options.max;
    // Never slower than one request per few seconds: a run must still make progress.
    this.floor = Math.min(options.max, options.floor ?? Math.max(0.2, options.max / 64));
    this.k = { ...LAW, ...options.constants };
    this.curve = flat(now, this.max);
    this.quietSince = now - this.k.proofMs;
    this.answersSinceQuiet = Number.POSITIVE_INFINITY;
    this.recent = new AnswerWindow(this.k.noiseWindow);
  }

  /** Increases at every 429 the law acts on; a request records it when it starts. */
  get epoch(): number {
    return this.epochValue;
  }

  /** Requests per second allowed at `now`. */
  rate(now: number): number {
    return levelAt(this.curve, now, this.max);
  }

  state(now: number): LawState {
    return {
      rate: this.rate(now),
      epoch: this.epochValue,
      ceiling: this.ceiling,
      slowdowns: this.slowdowns,
      descending: this.descent !== undefined,
      noise: this.noise && now < this.noise.until ? this.noise.share : undefined,
    };
  }

  /** New starts are paused until `until` (a `Retry-After`): quiet time counts from its end. */
  paused(until: number): void {
    if (this.suspect && until > this.suspect.at) this.suspect.at = until;
    if (until > this.quietSince) {
      this.quietSince = until;
      this.answersSinceQuiet = 0;
    }
  }

  /** The level now and what the law knows of PX's ceiling (see `LawMark`). */
  mark(now: number): LawMark {
    return {
      rate: this.rate(now),
      ceiling: this.ceiling,
      slowdowns: this.slowdowns,
      proven: this.descent === undefined && this.proven(now) !== undefined,
    };
  }

  /**
   * Back to `mark` after a wait for PX: the level PX allowed before it, not the floor its 429s
   * drove the rate to (climbing from there, 2,000 rows against a quota of 800 a 60 s "day" had
   * 1,275 rows landed after 300 s, where about 130 s would do: issue 24). Held, then probed above as after a rise; a level proven before counts as proven
   * again (like the configured rate at the start). The wait's descent, noise and 429 share are
   * forgotten, and requests started before (the probes) answer in an old epoch: echoes.
   */
  restore(mark: LawMark, now: number): void {
    this.epochValue++;
    this.descent = undefined;
    this.lastDescent = undefined;
    this.suspect = undefined;
    this.trimmedFrom = undefined;
    this.noise = undefined;
    this.recent = new AnswerWindow(this.k.noiseWindow);
    this.ceiling = mark.ceiling;
    this.slowdowns = mark.slowdowns;
    this.setCurve(now, mark.rate, mark.rate, 0, false);
    this.quietSince = mark.proven ? now - this.k.proofMs : now;
    this.answersSinceQuiet = mark.proven ? Number.POSITIVE_INFINITY : 0;
  }

  /** An answer that is not a 429. True when the rate changed (a descent ended). */
  succeeded(now: number): boolean {
    this.recent.add(false);
    if (this.descent) this.descent.answers++;
    if (now >= this.quietSince) this.answersSinceQuiet++;
    if (this.suspect && now - this.suspect.at > this.k.confirmMs) this.suspect = undefined;
    const descent = this.descent;
    if (!descent || this.proven(now) === undefined) return false;
    if (this.answersSinceQuiet < descent.proof) return false;
    // The cut level held: rise to just under the lowest level that failed. Not a disturbance:
    // the quiet time that proved the level goes on proving the rise.
    const level = this.rate(now);
    this.lastDescent = { descent, ended: now };
    this.descent = undefined;
    const plateau = Math.min(this.max, Math.max(level, (this.ceiling ?? this.max) * (1 - this.k.margin)));
    this.setCurve(now, level, plateau, plateau > level ? this.k.riseMs : 0, false);
    return true;
  }

  /**
   * A 429 for a request started in `epoch`. The caller pauses new starts for its `Retry-After`
   * (and tells `paused`); the law only decides the rate.
   */
  throttled(now: number, epoch: number): Verdict {
    this.recent.add(true);
    if (this.descent) {
      this.descent.answers++;
      this.descent.throttles++;
    }
    if (epoch !== this.epochValue) return 'echo';
    const noise = this.noise;
    if (noise && now < noise.until) {
      if (this.recent.share <= Math.max(2 * noise.share, noise.share + 0.02)) return 'noise';
      this.noise = undefined;
    }
    const level = this.rate(now);
    const proven = this.proven(now);
    this.epochValue++;
    if (this.descent) {
      this.noteCeiling(level);
      return this.cut(now, level);
    }
    if (proven !== undefined && level > proven * (1 + this.k.sameCeiling / 2)) {
      this.noteCeiling(level);
      const back = Math.max(this.floor, Math.min(proven, level * (1 - this.k.margin)));
      this.setCurve(now, back, back, 0);
      return 'return';
    }
    if (proven !== undefined && !(this.suspect && now - this.suspect.at <= this.k.confirmMs)) {
      this.suspect = { level, at: now };
      if (this.trimmedFrom === undefined || level > this.trimmedFrom) this.trimmedFrom = level;
      const lowest = this.trimmedFrom * (1 - 2 * this.k.margin);
      if (level <= lowest * (1 + 1e-9)) return 'hold';
      this.noteCeiling(level);
      const trimmed = Math.max(this.floor, lowest, level * (1 - this.k.margin));
      this.setCurve(now, trimmed, trimmed, 0);
      return 'trim';
    }
    this.noteCeiling(level);
    const last = this.lastDescent;
    const carried = last && now - last.ended < CHAIN_MS ? last.descent : undefined;
    this.descent = {
      from: Math.max(level, this.suspect?.level ?? 0, carried?.from ?? 0),
      answers: carried?.answers ?? 0,
      throttles: carried?.throttles ?? 0,
      proof: 0,
    };
    this.suspect = undefined;
    this.trimmedFrom = undefined;
    return this.cut(now, level);
  }

  private cut(now: number, level: number): Verdict {
    const descent = this.descent!;
    const next = Math.max(this.floor, level * this.k.beta);
    const descentShare = descent.answers > 0 ? descent.throttles / descent.answers : 0;
    if (
      next < descent.from * this.k.noiseDepth &&
      next > this.floor &&
      descentShare <= this.k.noiseMaxShare
    ) {
      this.noise = { share: descentShare, until: now + this.k.noiseMs };
      this.descent = undefined;
      this.setCurve(now, descent.from, descent.from, 0);
      return 'noise-found';
    }
    // The cut level must hold three mean gaps between the 429s seen so far (in the descent, or
    // in the latest answers): random throttles let a level hold that long once in twenty (e^-3).
    const share = Math.max(this.recent.share, descent.throttles / Math.max(1, descent.answers));
    descent.proof = share > 0 ? 3 / share : 0;
    this.curve = flat(now, next);
    this.quiet(now);
    return 'cut';
  }

  private setCurve(now: number, from: number, plateau: number, rise: number, disturbed = true): void {
    const gain = this.k.probeGain / this.k.probeSlowdown ** this.slowdowns;
    this.curve = { at: now, from, plateau, rise, hold: this.k.holdMs, gain };
    if (disturbed) this.quiet(now);
  }

  private quiet(now: number): void {
    if (now >= this.quietSince) {
      this.quietSince = now;
      this.answersSinceQuiet = 0;
    }
  }

  private noteCeiling(level: number): void {
    const ceiling = this.ceiling;
    const same = ceiling !== undefined && Math.abs(level - ceiling) <= ceiling * this.k.sameCeiling;
    this.slowdowns = same ? Math.min(this.k.maxSlowdowns, this.slowdowns + 1) : 0;
    this.ceiling = level;
  }

  /**
   * The level proven by the last `proofMs` of quiet sending (the lowest the curve went in them),
   * or undefined when they were not quiet or held too few answers.
   */
  private proven(now: number): number | undefined {
    if (now - this.quietSince < this.k.proofMs) return undefined;
    const needed = Math.max(3, Math.min(PROOF_ANSWERS, (this.rate(now) * this.k.proofMs) / 1000));
    if (this.answersSinceQuiet < needed) return undefined;
    return levelAt(this.curve, Math.max(this.curve.at, now - this.k.proofMs), this.max);
  }
}
