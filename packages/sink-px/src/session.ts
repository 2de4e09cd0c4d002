/**
 * One request through the shared limiter, counted and classified. Everything every request
 * needs, whatever row or call it belongs to, lives here: the transport, the adaptive limiter,
 * the counters, the redactor, and the run-wide stop on a fatal answer (401/403, daily quota).
 */
import { setMaxListeners } from 'node:events';
import { createRedactor, type Redactor } from '@pxstream/core';
import { type MonotonicClock, monotonicNow } from './clock.js';
import {
  errorBodyMessage,
  isQuotaMessage,
  isRecordNotFound,
  oneLine,
  wrongBaseUrlMessage,
} from './error-body.js';
import { type PxSinkError, sinkError } from './errors.js';
import { Transport, TransportError } from './http.js';
import { AdaptiveLimiter } from './limiter.js';
import type { ResolvedClientOptions } from './options.js';
import { parseRetryAfter, type RetryOptions } from './retry.js';
import { Counters } from './stats.js';

/** What one request came to, short of a fatal error (which is thrown). */
export type Exchange =
  | { kind: 'answer'; status: number; text: string; retryAfterMs: number | undefined }
  | {
      kind: 'failure';
      failure: 'connect' | 'reset' | 'timeout';
      /** False when the request surely never reached the server. */
      sent: boolean;
      message: string;
    };

export interface RequestSpec {
  method: 'GET' | 'PUT' | 'POST';
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
  readonly redact: Redactor;
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
    });
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
   * Sends one request when the limiter allows. Returns the answer or the transport failure;
   * throws the fatal error on 401/403 or an exhausted daily quota, and `PX_ABORTED` once the
   * session is closed.
   */
  async exchange(spec: RequestSpec, priority: number, ticket?: RequestTicket): Promise<Exchange> {
    this.throwIfStopped();
    if (ticket) ticket.state = 'waiting';
    try {
      return await this.limiter.schedule(
        (epoch, sending) => this.run(spec, epoch, sending, ticket),
        priority,
      );
    } catch (error) {
      // Whatever the limiter threw after a stop (its own error, bottleneck's "stopped"), the
      // reason is the stop: report that.
      this.throwIfStopped();
      throw error;
    }
  }

  private async run(
    spec: RequestSpec,
    epoch: number,
    sending: () => void,
    ticket?: RequestTicket,
  ): Promise<Exchange> {
    this.throwIfStopped();
    const counters = this.counters;
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
    if (ticket) ticket.state = 'sent';
    try {
      sending();
      const response = await this.transport.request(request);
      if (ticket) ticket.state = 'answered';
      counters.latency.add(this.clock() - started);
      counters.countStatus(response.status);
      const { status, text } = response;
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      if (status === 401 || status === 403) {
        throw this.stop(
          sinkError('PX_AUTH_FAILED', `PX rejected the API key (HTTP ${status}) at ${this.baseUrl}`, {
            fatal: true,
            status,
          }),
        );
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
      if (status === 429) {
        counters.http429++;
        const message = this.bodyMessage(status, text);
        if (isQuotaMessage(message)) {
          const when =
            retryAfterMs === undefined ? '' : ` (Retry-After: ${Math.round(retryAfterMs / 1000)} s)`;
          throw this.stop(
            sinkError(
              'PX_DAILY_QUOTA',
              `PX daily request quota exhausted at ${this.baseUrl}: ${message}${when}`,
              { fatal: true, status },
            ),
          );
        }
        this.limiter.rateLimited(epoch, retryAfterMs);
      } else {
        this.limiter.succeeded();
      }
      return { kind: 'answer', status, text, retryAfterMs };
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      if (ticket && !error.requestSent) ticket.state = 'unsent';
      if (error.kind === 'aborted') this.throwIfStopped();
      counters.countStatus(error.kind);
      const failure = error.kind === 'aborted' ? 'reset' : error.kind;
      return { kind: 'failure', failure, sent: error.requestSent, message: this.message(error.message) };
    } finally {
      counters.inFlight--;
    }
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
    for (const listener of this.fatalListeners) listener(error);
    return error;
  }

  /** Closes the session (not an error): queued and in-flight requests end with `PX_ABORTED`. */
  close(): void {
    if (this.closed) return;
    this.shutdown();
  }

  private shutdown(): void {
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
