/**
 * Sending one request until it gets an answer worth acting on: retryable failures (5xx,
 * resets, timeouts) are retried with backoff up to `maxAttempts`, 429s up to
 * `THROTTLE_BUDGET` times that, and a lost answer to a non-idempotent request is handed back
 * instead of being repeated blindly.
 */
import { httpCode, type PxSinkErrorCode } from './errors.js';
import { PRIORITY } from './limiter.js';
import type { SendOutcome, SendRejected, SendResult } from './result.js';
import { backoffDelay, isRetryableStatus } from './retry.js';
import type { RequestSpec, RequestTicket, Session } from './session.js';

/**
 * A 429 says PX did not process the request and when to ask again; the limiter already slows
 * every request down for it. Counted against `maxAttempts` like a 5xx, a 429 storm (10% faults
 * with a client at 2.5x the limit) left a row PX would have taken in the rejects file as
 * PX_RETRIES_EXHAUSTED about one run in three. 429s get their own budget, this many times
 * `maxAttempts` (30 at the default 6): a PX that never stops refusing still ends the row.
 */
export const THROTTLE_BUDGET = 5;

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
  failures = 0;
  /** 429s of the current request (their own budget, see THROTTLE_BUDGET). */
  throttles = 0;
  requests = 0;
  last: Failure | undefined;
  /** Backoff to wait before the next request (set after a failure). */
  delay: number | undefined;
  priority: number = PRIORITY.first;
  /** A create of ours may have been applied (lost answer, or 500/502/504 to a POST). */
  createMayExist = false;
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
    this.throttles = 0;
    this.last = undefined;
  }

  /**
   * The GET after a lost create: at once (it is a question, not a retry), with attempts of its
   * own, so that failures of the read-back do not use up those of the create. Once it has an
   * answer, the create's count of failures is back.
   */
  async readBack(spec: RequestSpec): Promise<Performed> {
    const create = { failures: this.failures, throttles: this.throttles, last: this.last };
    this.next();
    this.delay = undefined;
    const answer = await this.perform(spec, 'idempotent');
    if (answer.kind === 'answer') {
      this.failures = create.failures;
      this.throttles = create.throttles;
      this.last = create.last;
    }
    return answer;
  }

  /** Counts a failure; false when the attempts are used up. */
  fail(failure: Failure, retryAfterMs?: number): boolean {
    this.last = failure;
    const { maxAttempts } = this.session.retry;
    if (failure.kind === 'status' && failure.status === 429) {
      if (++this.throttles >= maxAttempts * THROTTLE_BUDGET) return false;
    } else if (++this.failures >= maxAttempts) {
      return false;
    }
    this.delay = retryAfterMs ?? backoffDelay(this.failures + this.throttles, this.session.retry);
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
        await session.sleep(delay);
        session.counters.retries++;
      }
      this.requests++;
      const exchange = await session.exchange(spec, this.priority, this.ticket);
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
    const tries = `gave up after ${this.failures + this.throttles} failed attempts`;
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
