/**
 * Sending one request until it gets an answer worth acting on: retryable failures are retried
 * with backoff, and a lost answer to a non-idempotent request is handed back instead of being
 * repeated blindly.
 *
 * PX's unavailability is never a row's fault (issue 24): a 429 never counts against the row, and
 * a 5xx, reset or timeout counts only while PX answers other requests (`Availability.judge`).
 * When PX fails everything, the rows wait with the whole client (availability.ts) instead of
 * using up their `maxAttempts`. Each retry of a failure takes tokens of the client's retry quota
 * (retry-quota.ts), given back when it succeeds.
 */
import { newRowHistory } from './availability.js';
import { httpCode, type PxSinkErrorCode } from './errors.js';
import { PRIORITY } from './limiter.js';
import type { SendOutcome, SendRejected, SendResult } from './result.js';
import { backoffDelay, isRetryableStatus } from './retry.js';
import type { RequestSpec, RequestTicket, Session } from './session.js';

export type Failure =
  | { kind: 'status'; status: number; message: string }
  | { kind: 'connect' | 'reset' | 'timeout'; message: string };

/**
 * How a lost answer (reset or timeout after the request left) is treated:
 * - `idempotent` (GET, PUT): retried, repeating it is harmless;
 * - `create` (POST of a user/account): handed back, the caller reads the record back first;
 * - `event` (POST of a custom event): handed back, and 500/502/504 too: PX may have recorded it.
 */
export type Mode = 'idempotent' | 'create' | 'event';

export type Performed =
  | { kind: 'answer'; status: number; text: string }
  | { kind: 'lost'; failure: Failure }
  | { kind: 'exhausted' };

/**
 * The requests of one row (or one read) and their retries: attempts counted per request,
 * backoff between them, and the one result they end with.
 */
export class Attempts {
  /** Failures of the current request counted against the row (see `fail`). */
  failures = 0;
  /** Failures of the current request, counted or not, 429s included: the backoff's exponent. */
  tries = 0;
  requests = 0;
  last: Failure | undefined;
  /** Backoff to wait before the next request (set after a failure). */
  delay: number | undefined;
  priority: number = PRIORITY.first;
  /** A create of ours may have been applied (lost answer, or 500/502/504 to a POST). */
  createMayExist = false;
  /** The row's failures, for `Availability.judge`. */
  private readonly history = newRowHistory();
  /** Sequence number of the row's latest request. */
  private seq = 0;
  /** Retry-quota tokens the next request took (given back if it succeeds). */
  private retryCost = 0;
  constructor(
    readonly session: Session,
    /** How far the current request got (see `RequestTicket`): what a stop leaves in doubt. */
    readonly ticket: RequestTicket = { state: 'waiting' },
  ) {}

  /**
   * A new request of the row (the POST after the PUT's 404, the PUT after a duplicate): it gets
   * its own `maxAttempts`. The attempts of one create (POST, read-back GET, POST again) share
   * theirs.
   */
  next(): void {
    this.failures = 0;
    this.tries = 0;
    this.last = undefined;
  }

  /**
   * The GET after a lost create: at once (it is a question, not a retry), with attempts of its
   * own, so that failures of the read-back do not use up those of the create. Once it has an
   * answer, the create's count of failures is back.
   */
  async readBack(spec: RequestSpec): Promise<Performed> {
    const create = { failures: this.failures, tries: this.tries, last: this.last };
    this.next();
    this.delay = undefined;
    const answer = await this.perform(spec, 'idempotent');
    if (answer.kind === 'answer') {
      this.failures = create.failures;
      this.tries = create.tries;
      this.last = create.last;
    }
    return answer;
  }

  /** The backoff before the next retry of the current request (full jitter, see retry.ts). */
  backoff(): number {
    return backoffDelay(Math.max(1, this.tries), this.session.retry);
  }

  /**
   * A failure of the row's latest request; false when the row's attempts are used up. Counted
   * against `maxAttempts` only when PX answered other requests meanwhile (never a 429).
   */
  fail(failure: Failure, retryAfterMs?: number): boolean {
    this.last = failure;
    this.tries++;
    const availability = this.session.availability;
    const throttled = failure.kind === 'status' && failure.status === 429;
    if (availability.judge(this.history, this.seq, throttled)) {
      if (++this.failures >= this.session.retry.maxAttempts) return false;
    }
    // A 429 is paced by the control law, not by the retry quota (see retry-quota.ts).
    if (!throttled) this.retryCost = availability.takeRetry(failure.kind === 'timeout');
    this.delay = retryAfterMs ?? this.backoff();
    this.priority = PRIORITY.retry;
    return true;
  }

  /** Sends `spec` until it gets an answer to act on, retrying what may be retried. */
  async perform(spec: RequestSpec, mode: Mode): Promise<Performed> {
    const session = this.session;
    for (;;) {
      if (this.delay !== undefined) {
        const delay = this.delay;
        this.delay = undefined;
        // Cut short when a wait for PX ends: the retry goes with the others, at the restored rate.
        await session.backoff(delay);
        session.counters.retries++;
      }
      this.requests++;
      const retryCost = this.retryCost;
      this.retryCost = 0;
      const exchange = await session.exchange(spec, this.priority, this.ticket, retryCost);
      this.seq = exchange.seq;
      // Once a row has started, its next requests go before the first request of new rows.
      if (this.priority === PRIORITY.first) this.priority = PRIORITY.next;
      if (exchange.kind === 'answer') {
        const { status, text } = exchange;
        if (!isRetryableStatus(status)) return { kind: 'answer', status, text };
        const failure: Failure = {
          kind: 'status',
          status,
          message: session.bodyMessage(status, text),
        };
        // 429 and 503 say the request was not processed; 500, 502 and 504 do not.
        const processed = status !== 429 && status !== 503;
        if (mode === 'event' && processed) return { kind: 'lost', failure };
        if (mode === 'create' && processed) this.createMayExist = true;
        if (!this.fail(failure, exchange.retryAfterMs)) return { kind: 'exhausted' };
        continue;
      }
      const failure: Failure = { kind: exchange.failure, message: exchange.message };
      if (exchange.sent && mode !== 'idempotent') return { kind: 'lost', failure };
      if (!this.fail(failure)) return { kind: 'exhausted' };
    }
  }

  ok(outcome: SendOutcome, status: number, reason?: string): SendResult {
    return reason === undefined
      ? { outcome, status, attempts: this.requests }
      : { outcome, status, reason, attempts: this.requests };
  }

  reject(code: PxSinkErrorCode, message: string, status?: number): SendRejected {
    const text = this.session.message(message);
    return status === undefined
      ? { outcome: 'rejected', code, message: text, attempts: this.requests }
      : { outcome: 'rejected', code, status, message: text, attempts: this.requests };
  }

  /** The answer was final and not a success: `PX_HTTP_<status>` with PX's message. */
  rejectAnswer(answer: { status: number; text: string }): SendRejected {
    const message = this.session.bodyMessage(answer.status, answer.text);
    return this.reject(httpCode(answer.status), message, answer.status);
  }

  /** Attempts used up: the code says what kept failing. */
  exhausted(): SendRejected {
    const last = this.last;
    const tries = `gave up after ${this.failures} failed attempts while PX answered other requests`;
    if (!last) return this.reject('PX_RETRIES_EXHAUSTED', tries);
    if (last.kind === 'status')
      return this.reject(
        'PX_RETRIES_EXHAUSTED',
        `${tries}: HTTP ${last.status} ${last.message}`,
        last.status,
      );
    const code = last.kind === 'timeout' ? 'PX_TIMEOUT' : 'PX_CONNECTION_FAILED';
    return this.reject(code, `${tries}: ${last.message}`);
  }
}
