/**
 * Waiting for PX: a circuit breaker in front of every request of a client, after resilience4j's
 * (`CircuitBreaker`: closed, open, half-open), fed by the answers and by the retry quota
 * (retry-quota.ts, botocore's standard mode).
 *
 * PX is UNAVAILABLE when it has refused or failed every request for a spell (a SPELL: failures,
 * 429s included, with no success between them; a success is any answer that is not a 429 or a
 * 5xx). The breaker opens on the first failure that finds
 * - the spell `SPELL_MS` (30 s) old: PX's per-second limits refuse for a `Retry-After` of a
 *   second or two, so 30 s of nothing but refusals is no longer the rate; it is a spent daily
 *   quota (px-api.md: plain 429s "possibly for hours") or an outage. This is the route of 429s,
 *   which take no retry tokens (the control law paces them: at its floor, rate/64, a 30 s spell
 *   costs a few dozen requests);
 * - or the retry quota spent, with at least `SPELL_MIN_FAILURES` in the spell: 100 retries that
 *   all failed (500 tokens at 5 each). At the default 150/s, PX answering 503 or resetting every
 *   connection spends it in under a second, well under the issue's 300 requests for a 60 s
 *   outage; the minimum keeps a quota left low by an earlier bad minute from opening on one
 *   unlucky failure;
 * - or a 429 whose body says "quota": a fast path only, since PX documents no such body.
 * With `wait: false` opening ends the run instead (the session's fatal `PX_UNAVAILABLE`).
 *
 * OPEN: nothing is sent. Requests wait here, and after `FIRST_PROBE_MS` one of them goes as the
 * PROBE (HALF-OPEN: resilience4j's `permittedNumberOfCallsInHalfOpenState`, here 1): it fails,
 * and the next one goes after twice the wait, up to `MAX_PROBE_MS` (60 s, resilience4j's default
 * `waitDurationInOpenState`) or the probe's `Retry-After` if longer. Any success closes the
 * breaker: the waiting requests go through the limiter again, and rows sleeping a backoff wake
 * up (`onClose`).
 *
 * THE RATE PX ALLOWED. The control law reads every 429 as the rate's; a spell of nothing but
 * 429s drives it to its floor (rate/64) in a dozen seconds, and climbing back from there made
 * 2,000 rows against a quota of 800 a 60 s "day" take over 300 s where 130 would do (issue 24).
 * So the law's level at the start of the latest request that succeeded is kept (`lastGood`),
 * and given back to the law when the breaker opens (the requests held in the limiter then drain
 * at that rate, not at the floor: 150 of them took 64 s there), when it closes (the probes' 429s
 * are not the rate's either), and when a spell of `RESTORE_AFTER_MS` or more ends without a wait
 * (a quota day turning 20 s into the spell).
 *
 * A row's failures count against its `maxAttempts` only while PX is up for others (`judge`): a
 * request sent after the row's previous attempt succeeded; or the row's failure began a spell
 * right after successes, and no other request failed since (the last row of a load, which PX
 * fails alone: nothing is sent after it to succeed). A row PX fails on every time is rejected;
 * rows caught in an outage wait with everything else. A request failing alone before any success
 * (the first read of a run started during PX's maintenance) waits.
 */
import type { MonotonicClock } from './clock.js';
import { RETRY_COST, RetryQuota } from './retry-quota.js';
import type { Counters } from './stats.js';
import type { PxWaitEvent } from './wait-contract.js';

/** A spell of nothing but failures this long is PX unavailable (the figure). */
export const SPELL_MS = 30_000;
/** Failures a spell needs to open on a spent retry quota. */
export const SPELL_MIN_FAILURES = 10;
/** Wait before the first probe; doubled after each probe that fails. */
export const FIRST_PROBE_MS = 1_000;
/** Longest wait between two probes (resilience4j's default `waitDurationInOpenState`). */
export const MAX_PROBE_MS = 60_000;
/**
 * A spell this long ending in a success gives the law back its level from before: PX's
 * per-second limits let requests through again within a `Retry-After` or two (1 s each), so
 * 5 s of nothing but refusals (five cuts of the law, to 0.17 of its level) were not the rate.
 */
export const RESTORE_AFTER_MS = 5_000;

/** Breaker states (resilience4j's names). */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A request's leave to go: handed by `admit`, checked by `mayGo` when the limiter lets it start. */
export interface Pass {
  readonly probe: boolean;
}

const CLOSED_PASS: Pass = Object.freeze({ probe: false });

/** A row's failures so far, for `judge`. */
export interface RowHistory {
  /** Sequence number of the row's latest failed request. */
  seq: number | undefined;
  /** Failures of every request, counted just after the row's latest one. */
  failures: number;
  /** The row's latest failure counted against it. */
  suspect: boolean;
}

export function newRowHistory(): RowHistory {
  return { seq: undefined, failures: 0, suspect: false };
}

/** The spell that made PX unavailable: what `wait: false` reports. */
export interface Spell {
  /** Sequence number of the request whose failure began it. */
  firstSeq: number;
  /** Epoch ms of its first failure. */
  since: number;
  /** Monotonic ms of its first failure. */
  startedAt: number;
  failures: number;
  /** The latest failure, key-free (see `PxWaitEvent`). */
  answer: string;
  /** Its status, when it was an answer. */
  status: number | undefined;
  /** Whether a 429 body said "quota" (the fast path). */
  quota: boolean;
}

/** What the breaker needs of the limiter: the law's rate saved at a spell's start, restored after a wait. */
export interface RateKeeper<M> {
  saveRate(): M;
  restoreRate(mark: M): void;
}

export interface AvailabilityOptions<M> {
  /** False: a spell that would open the breaker calls `unavailable` instead. */
  wait: boolean;
  /** The spell that makes PX unavailable (default `SPELL_MS`). */
  spellMs?: number | undefined;
  onWait?: ((event: PxWaitEvent) => void) | undefined;
  /** Ends the run (wait: false). */
  unavailable: (spell: Spell) => void;
  rate: RateKeeper<M>;
  counters: Counters;
  clock: MonotonicClock;
  /** Epoch ms, for `since`. Default `Date.now()`. */
  wallClock?: () => number;
  quota?: RetryQuota;
}

interface Waiter {
  resolve: (pass: Pass) => void;
  reject: (error: unknown) => void;
}

export class Availability<M = unknown> {
  readonly quota: RetryQuota;
  private stateValue: BreakerState = 'closed';
  /** Requests sent so far: each gets the next number. */
  private seq = 0;
  /** The highest number of a request that succeeded. */
  private lastSuccessSeq = 0;
  private failureCount = 0;
  private spell: (Spell & { rate: M }) | undefined;
  /** The law's level at the start of the latest request that succeeded. */
  private lastGood: M | undefined;
  /** The spell the breaker opened on (its rate comes back at the close). */
  private opened: (Spell & { rate: M }) | undefined;
  private readonly waiters: Waiter[] = [];
  private probe: Pass | undefined;
  /** The probe is due and no request was waiting to be it: the next one to come is. */
  private probeDue = false;
  private probeSent = false;
  private probeInterval = FIRST_PROBE_MS;
  private probeTimer: NodeJS.Timeout | undefined;
  private probes = 0;
  private waitStartedAt = 0;
  private readonly closeListeners = new Set<() => void>();
  private shutDown: unknown;
  private readonly wallClock: () => number;

  constructor(private readonly options: AvailabilityOptions<M>) {
    this.quota = options.quota ?? new RetryQuota();
    this.wallClock = options.wallClock ?? Date.now;
  }

  get state(): BreakerState {
    return this.stateValue;
  }

  get waiting(): boolean {
    return this.stateValue !== 'closed';
  }

  /**
   * Leave to send a request: at once while closed; while open, when the request is let through
   * as the probe, or when the breaker closes. Rejects after `shutdown`.
   */
  admit(): Pass | Promise<Pass> {
    if (this.shutDown !== undefined) return Promise.reject(this.shutDown);
    if (this.stateValue === 'closed') return CLOSED_PASS;
    if (this.probeDue && this.stateValue === 'open') return this.takeProbe();
    return new Promise<Pass>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Whether a request holding `pass` may go now (checked when the limiter lets it start). */
  mayGo(pass: Pass): boolean {
    return this.stateValue === 'closed' || pass === this.probe;
  }

  /** A request goes: its sequence number (see `judge`). */
  sent(pass: Pass): number {
    if (pass === this.probe && !this.probeSent) {
      this.probeSent = true;
      this.probes++;
    }
    return ++this.seq;
  }

  /**
   * The request holding `pass` is over (answered, failed, or never sent). A probe that got no
   * verdict (never sent: the run stopped, the limiter held it) hands its turn to the next request.
   */
  release(pass: Pass): void {
    if (pass !== this.probe) return;
    this.probe = undefined;
    this.probeSent = false;
    if (this.stateValue === 'half-open') {
      this.stateValue = 'open';
      this.probeIsDue();
    }
  }

  /**
   * A success (any answer but 429 and 5xx) of request `seq`; `retryCost`: the tokens it took;
   * `rate`: the law's level when it was sent.
   */
  succeeded(pass: Pass, seq: number, retryCost: number, rate: M): void {
    if (seq > this.lastSuccessSeq) {
      this.lastSuccessSeq = seq;
      this.lastGood = rate;
    }
    this.quota.refund(retryCost);
    const spell = this.spell;
    this.spell = undefined;
    if (spell && this.stateValue === 'closed' && this.options.clock() - spell.startedAt >= RESTORE_AFTER_MS) {
      this.options.rate.restoreRate(spell.rate);
    }
    if (pass === this.probe) {
      this.probe = undefined;
      this.probeSent = false;
    }
    if (this.stateValue !== 'closed') this.close();
  }

  /**
   * A failure (429, 5xx, reset, timeout, no connection): `answer` says what, key-free. A probe's
   * failure sets the next probe (after `retryAfterMs` if longer than the interval).
   */
  failed(
    pass: Pass,
    seq: number,
    failure: {
      answer: string;
      status?: number | undefined;
      quota?: boolean;
      retryAfterMs?: number | undefined;
    },
  ): void {
    this.failureCount++;
    const now = this.options.clock();
    if (!this.spell) {
      this.spell = {
        firstSeq: seq,
        since: this.wallClock(),
        startedAt: now,
        failures: 0,
        answer: failure.answer,
        status: failure.status,
        quota: false,
        rate: this.lastGood ?? this.options.rate.saveRate(),
      };
    }
    const spell = this.spell;
    spell.failures++;
    spell.answer = failure.answer;
    spell.status = failure.status;
    if (failure.quota) spell.quota = true;
    if (pass === this.probe && this.stateValue === 'half-open') {
      this.probe = undefined;
      this.probeSent = false;
      this.stateValue = 'open';
      this.probeInterval = Math.min(MAX_PROBE_MS, this.probeInterval * 2);
      const wait = Math.max(this.probeInterval, Math.min(MAX_PROBE_MS, failure.retryAfterMs ?? 0));
      this.scheduleProbe(wait);
      return;
    }
    if (this.stateValue === 'closed') this.check(now);
  }

  /**
   * Whether a failure of the row's request `seq` counts against the row (`history` is updated):
   * only while PX is up for others. A 429 (`throttled`) never counts.
   */
  judge(history: RowHistory, seq: number, throttled = false): boolean {
    const since = history.seq ?? seq;
    const othersSucceeded = this.lastSuccessSeq > since;
    // The row's own failure is in the count: more than one since its last means others failed.
    const othersFailed = this.failureCount - history.failures > 1;
    const beganSpell = this.lastSuccessSeq > 0 && this.spell?.firstSeq === seq && history.seq === undefined;
    const counts = !throttled && (othersSucceeded || beganSpell || (history.suspect && !othersFailed));
    history.seq = seq;
    history.failures = this.failureCount;
    if (!throttled) history.suspect = counts;
    return counts;
  }

  /** Tokens for one retry (0: the quota is spent, which may open the breaker). */
  takeRetry(afterTimeout: boolean): number {
    const cost = this.quota.take(afterTimeout);
    if (cost === 0 && this.stateValue === 'closed') this.check(this.options.clock());
    return cost;
  }

  /** Calls `listener` at every close of the breaker (a wait ended); returns its removal. */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** The session stops: waiting requests reject with `reason`, no probe is due any more. */
  shutdown(reason: unknown): void {
    if (this.shutDown !== undefined) return;
    this.shutDown = reason;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }

  private check(now: number): void {
    const spell = this.spell;
    if (!spell) return;
    const spent = this.quota.available < RETRY_COST && spell.failures >= SPELL_MIN_FAILURES;
    if (spell.quota || spent || now - spell.startedAt >= (this.options.spellMs ?? SPELL_MS))
      this.open(spell, now);
  }

  private open(spell: Spell & { rate: M }, now: number): void {
    if (!this.options.wait) {
      this.options.unavailable(spell);
      return;
    }
    this.stateValue = 'open';
    this.opened = spell;
    this.probes = 0;
    this.probeInterval = FIRST_PROBE_MS;
    this.waitStartedAt = now;
    this.options.rate.restoreRate(spell.rate);
    const counters = this.options.counters;
    counters.waits++;
    counters.waitingSince = now;
    this.emit({ kind: 'wait-start', since: spell.since, answer: spell.answer });
    this.scheduleProbe(FIRST_PROBE_MS);
  }

  private close(): void {
    const now = this.options.clock();
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.stateValue = 'closed';
    this.probe = undefined;
    this.probeDue = false;
    this.probeSent = false;
    const waitedMs = Math.max(0, now - this.waitStartedAt);
    const counters = this.options.counters;
    counters.waitedMs += waitedMs;
    counters.waitingSince = undefined;
    // The rate PX allowed before the spell, before the waiting requests go through the limiter.
    if (this.opened) this.options.rate.restoreRate(this.opened.rate);
    this.opened = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.resolve(CLOSED_PASS);
    for (const listener of [...this.closeListeners]) listener();
    this.emit({ kind: 'wait-end', waitedMs: Math.round(waitedMs), probes: this.probes });
  }

  private scheduleProbe(ms: number): void {
    clearTimeout(this.probeTimer);
    this.probeDue = false;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      this.probeIsDue();
    }, ms);
  }

  /** The probe's time: the first waiting request goes, or the next to come. */
  private probeIsDue(): void {
    if (this.stateValue !== 'open' || this.shutDown !== undefined) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(this.takeProbe());
    else this.probeDue = true;
  }

  private takeProbe(): Pass {
    this.probeDue = false;
    this.stateValue = 'half-open';
    const pass: Pass = { probe: true };
    this.probe = pass;
    this.probeSent = false;
    return pass;
  }

  private emit(event: PxWaitEvent): void {
    try {
      this.options.onWait?.(event);
    } catch {
      // A listener's failure must not break the requests of the run.
    }
  }
}
