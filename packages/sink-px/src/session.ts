/**
 * One request through the shared limiter, counted and classified. Everything every request
 * needs, whatever row or call it belongs to, lives here: the transport, the adaptive limiter,
 * the wait for PX when it refuses everything (availability.ts), the daily budget, the counters,
 * the redactor, and the run-wide stop on a fatal answer (401/403, PX unavailable with
 * `wait: false`).
 */
import { setMaxListeners } from 'node:events';
import { createRedactor, isPxStreamError, type Redactor } from '@pxstream/core';
import { Availability, type Pass, type Spell } from './availability.js';
import { type MonotonicClock, monotonicNow } from './clock.js';
import type { LawMark } from './control-law.js';
import {
  errorBodyMessage,
  isQuotaMessage,
  isRecordNotFound,
  oneLine,
  wrongBaseUrlMessage,
} from './error-body.js';
import { type PxSinkError, sinkError } from './errors.js';
import { authFailure, dailyQuota, failureAnswer, unavailable } from './fatal-errors.js';
import { Transport, TransportError } from './http.js';
import { AdaptiveLimiter, PRIORITY } from './limiter.js';
import type { ResolvedClientOptions } from './options.js';
import { isRetryableStatus, parseRetryAfter, type RetryOptions } from './retry.js';
import { Counters } from './stats.js';
import type { RequestBudget } from './wait-contract.js';

/** What one request came to, short of a fatal error (which is thrown). */
export type Exchange = (
  | { kind: 'answer'; status: number; text: string; retryAfterMs: number | undefined }
  | {
      kind: 'failure';
      failure: 'connect' | 'reset' | 'timeout';
      /** False when the request surely never reached the server. */
      sent: boolean;
      message: string;
    }
) & {
  /** The request's sequence number in the client (see `Availability.judge`). */
  seq: number;
};

/** What a request the breaker held back returns when the limiter lets it start: it waits for PX again. */
const HELD = Symbol('held');

export interface RequestSpec {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
}

/**
 * How far one request got, for a caller that must know, after a stop, whether it may have
 * reached PX: `waiting` (for the limiter: never sent), `sent` (on the wire, no answer yet: in
 * doubt if it is cut now), `answered` (PX said something: nothing is in doubt), `unsent` (no
 * connection ever came up).
 */
export interface RequestTicket {
  state: 'waiting' | 'sent' | 'answered' | 'unsent';
}

/**
 * Waits `ms`, or rejects when `signal` aborts. On the global `setTimeout`, which `node:test`'s
 * mock timers replace (Node 20's leave `timers/promises` alone): a test on mock time runs the
 * backoffs and `Retry-After` waits without waiting for them.
 */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class Session {
  readonly baseUrl: string;
  readonly retry: RetryOptions;
  readonly counters = new Counters();
  readonly limiter: AdaptiveLimiter;
  /** The circuit breaker: PX up, or waited for (availability.ts). */
  readonly availability: Availability<LawMark>;
  readonly redact: Redactor;
  private readonly wait: boolean;
  private readonly requestBudget: RequestBudget | undefined;
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  /** The limiter's clock, and the latency figures'. */
  private readonly clock: MonotonicClock;
  private readonly controller = new AbortController();
  /** Aborted by a fatal stop as by a close: backoffs end at once, no new request starts. */
  private readonly stopping = new AbortController();
  private fatalError: PxSinkError | undefined;
  private readonly fatalListeners = new Set<(error: PxSinkError) => void>();

  constructor(options: ResolvedClientOptions) {
    this.baseUrl = options.baseUrl;
    this.retry = options.retry;
    this.timeoutMs = options.timeoutMs;
    this.redact = createRedactor([options.apiKey]);
    // Every request and backoff of every pending row listens to this one signal.
    setMaxListeners(0, this.controller.signal);
    setMaxListeners(0, this.stopping.signal);
    this.clock = options.clock ?? monotonicNow;
    this.limiter = new AdaptiveLimiter({
      rate: options.rate,
      concurrency: options.concurrency,
      clock: this.clock,
      // Sized from the round trip unless pinned; the agent's sockets follow the cap.
      ...(options.inFlight ? { inFlight: options.inFlight } : {}),
      onConcurrency: (size) => this.transport.setMaxSockets(size),
    });
    this.counters.inFlightFigures = this.limiter;
    this.wait = options.wait;
    this.requestBudget = options.requestBudget;
    this.availability = new Availability<LawMark>({
      wait: options.wait,
      spellMs: options.unavailableAfterMs,
      onWait: options.onWait,
      unavailable: (spell) => this.unavailable(spell),
      rate: this.limiter,
      counters: this.counters,
      clock: this.clock,
    });
    this.counters.waitClock = this.clock;
    this.transport = new Transport({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      maxSockets: options.concurrency,
    });
  }

  /** The fatal error that stopped this session, if any. */
  get fatal(): PxSinkError | undefined {
    return this.fatalError;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  onFatal(listener: (error: PxSinkError) => void): () => void {
    this.fatalListeners.add(listener);
    return () => this.fatalListeners.delete(listener);
  }

  /** A single-line, key-free message (redacted before it is cut, so no part of the key is left). */
  message(text: string): string {
    return oneLine(this.redact(text), 500);
  }

  /** PX's message in an error body (see `errorBodyMessage`), key-free. */
  bodyMessage(status: number, text: string): string {
    return this.message(errorBodyMessage(status, text, this.redact));
  }

  /**
   * Sends one request when PX is not waited for and the limiter allows. Returns the answer or
   * the transport failure; throws the fatal error on 401/403, a wrong base URL or PX unavailable
   * with `wait: false`, and `PX_ABORTED` once the session is closed. `retryCost`: the retry-quota
   * tokens the request took, given back if it succeeds.
   */
  async exchange(
    spec: RequestSpec,
    priority: number,
    ticket?: RequestTicket,
    retryCost = 0,
  ): Promise<Exchange> {
    for (;;) {
      this.throwIfStopped();
      if (ticket) ticket.state = 'waiting';
      let pass: Pass | undefined;
      try {
        pass = await this.availability.admit();
        const leave = pass;
        const result = await this.limiter.schedule(
          (epoch, sending) => this.run(spec, epoch, sending, leave, retryCost, ticket),
          leave.probe ? PRIORITY.probe : priority,
        );
        if (result !== HELD) return result;
      } catch (error) {
        // Whatever the limiter or the breaker threw after a stop (its own error, bottleneck's
        // "stopped"), the reason is the stop: report that.
        this.throwIfStopped();
        throw error;
      } finally {
        if (pass) this.availability.release(pass);
      }
    }
  }

  private async run(
    spec: RequestSpec,
    epoch: number,
    sending: () => void,
    pass: Pass,
    retryCost: number,
    ticket?: RequestTicket,
  ): Promise<Exchange | typeof HELD> {
    this.throwIfStopped();
    // The breaker opened while this request waited for the limiter: it waits for PX with the rest.
    if (!this.availability.mayGo(pass)) return HELD;
    await this.takeBudget();
    const counters = this.counters;
    const seq = this.availability.sent(pass);
    counters.sent++;
    counters.inFlight++;
    const request = {
      method: spec.method,
      path: spec.path,
      ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
      timeoutMs: this.timeoutMs,
      signal: this.controller.signal,
    };
    const started = this.clock();
    // The rate PX allowed, if this request succeeds (see availability.ts).
    const rate = this.limiter.saveRate();
    if (ticket) ticket.state = 'sent';
    try {
      sending();
      const response = await this.transport.request(request);
      if (ticket) ticket.state = 'answered';
      const roundTrip = this.clock() - started;
      counters.latency.add(roundTrip);
      this.limiter.answered(roundTrip);
      counters.countStatus(response.status);
      const { status, text } = response;
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      if (status === 401 || status === 403) {
        throw this.stop(authFailure(status, spec, this.baseUrl, this.bodyMessage(status, text)));
      }
      // A 404 that is not PX's "not found" of a record never reached a PX route: every other
      // request would miss too, so the run stops here instead of skipping or rejecting rows.
      if (status === 404 && !isRecordNotFound(text)) {
        throw this.stop(
          sinkError(
            'PX_WRONG_BASE_URL',
            wrongBaseUrlMessage(this.baseUrl, `${spec.method} ${spec.path}`, this.bodyMessage(status, text)),
            { fatal: true, status },
          ),
        );
      }
      if (!isRetryableStatus(status)) {
        this.limiter.succeeded();
        this.availability.succeeded(pass, seq, retryCost, rate);
        return { kind: 'answer', status, text, retryAfterMs, seq };
      }
      const message = this.bodyMessage(status, text);
      let quota = false;
      if (status === 429) {
        counters.http429++;
        // "quota" in the body: a fast path into the wait (or the stop), never the only way there.
        quota = isQuotaMessage(message);
        if (quota && !this.wait) throw this.stop(dailyQuota(this.baseUrl, message, retryAfterMs));
        this.limiter.rateLimited(epoch, retryAfterMs);
      } else {
        this.limiter.succeeded();
      }
      this.failed(pass, seq, { answer: `HTTP ${status} ${message}`, status, quota, retryAfterMs });
      return { kind: 'answer', status, text, retryAfterMs, seq };
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      if (ticket && !error.requestSent) ticket.state = 'unsent';
      if (error.kind === 'aborted') this.throwIfStopped();
      counters.countStatus(error.kind);
      const failure = error.kind === 'aborted' ? 'reset' : error.kind;
      const message = this.message(error.message);
      this.failed(pass, seq, { answer: failureAnswer(failure, message) });
      return { kind: 'failure', failure, sent: error.requestSent, message, seq };
    } finally {
      counters.inFlight--;
    }
  }

  /** A failure told to the breaker; throws when it ended the run (PX unavailable, `wait: false`). */
  private failed(pass: Pass, seq: number, failure: Parameters<Availability['failed']>[2]): void {
    const before = this.fatalError;
    this.availability.failed(pass, seq, failure);
    if (!before && this.fatalError) throw this.fatalError;
  }

  private unavailable(spell: Spell): void {
    this.stop(unavailable(spell, this.baseUrl, this.clock()));
  }

  /**
   * The daily budget's leave for one request (`RequestBudget.take`): at once, later (the next
   * day), or a fatal error that stops the run.
   */
  private async takeBudget(): Promise<void> {
    if (!this.requestBudget) return;
    try {
      const pending = this.requestBudget.take(this.stopping.signal);
      if (pending) await pending;
    } catch (error) {
      this.throwIfStopped();
      if (isPxStreamError(error) && error.fatal) throw this.stop(error as PxSinkError);
      throw error;
    }
    this.throwIfStopped();
  }

  /**
   * A retry's backoff: `ms`, or less when a wait for PX ends meanwhile (the retry then goes with
   * the others, at the restored rate). Rejects at once when the session stops.
   */
  async backoff(ms: number): Promise<void> {
    this.throwIfStopped();
    if (ms <= 0) return;
    const woken = new AbortController();
    const wake = () => woken.abort();
    this.stopping.signal.addEventListener('abort', wake, { once: true });
    const off = this.availability.onClose(wake);
    try {
      await sleep(ms, woken.signal);
    } catch {
      // Woken: the wait for PX ended, or the session stopped (thrown below).
    } finally {
      off();
      this.stopping.signal.removeEventListener('abort', wake);
    }
    this.throwIfStopped();
  }

  /** Waits `ms` (a backoff); rejects at once when the session stops meanwhile. */
  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return this.throwIfStopped();
    try {
      await sleep(ms, this.stopping.signal);
    } catch {
      this.throwIfStopped();
    }
  }

  /**
   * A fatal answer: no request starts any more (queued ones end with the error), but the
   * requests already on the wire get their answers, so that none of them is left in doubt for
   * nothing (after a 401 they get 401s: PX applied nothing; a 201 says it did). `close()` ends
   * them. Returns the error, to throw it.
   */
  stop(error: PxSinkError): PxSinkError {
    if (this.fatalError || this.closed) return this.fatalError ?? error;
    this.fatalError = error;
    this.stopping.abort();
    this.limiter.stop();
    this.availability.shutdown(error);
    for (const listener of this.fatalListeners) listener(error);
    return error;
  }

  /** Closes the session (not an error): queued and in-flight requests end with `PX_ABORTED`. */
  close(): void {
    if (this.closed) return;
    this.shutdown();
  }

  private shutdown(): void {
    this.availability.shutdown(sinkError('PX_ABORTED', 'the PX client was closed'));
    this.stopping.abort();
    this.controller.abort();
    this.limiter.stop();
    this.transport.close();
  }

  throwIfStopped(): void {
    if (this.fatalError) throw this.fatalError;
    if (this.closed) throw sinkError('PX_ABORTED', 'the PX client was closed');
  }
}
