/** Options of the client and the sink, their defaults and their checks. */
import { isLoopbackUrl } from '@pxstream/config';
import { SPELL_MS } from './availability.js';
import type { MonotonicClock } from './clock.js';
import { invalidOption } from './errors.js';
import { DEFAULT_BOUNDS, type InFlightBounds, initialInFlight } from './in-flight.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import type { PxWaitEvent, RequestBudget } from './wait-contract.js';

export interface PxClientOptions {
  /** PX API base URL including `/v1`, e.g. `https://api.aptrinsic.com/v1` or the emulator's `baseUrl`. */
  baseUrl: string;
  /** Sent as `X-APTRINSIC-API-KEY`. Never appears in an error, rejection or stats. */
  apiKey: string;
  /** Requests per second at most (the adaptive limiter starts here). Default 150 (PX allows about 200). */
  rate?: number;
  /**
   * Requests in flight at most, pinned. Default: sized from the round trip the client measures,
   * the law's rate × the p90 of the latest answers × 1.25 (never under a 200 ms round trip, so
   * rate × 0.25 at the start), between 8 and `maxConcurrency` (see in-flight.ts); when the cap
   * fills, the requests still out bound the round trip from below and it grows at once.
   */
  concurrency?: number;
  /** The most requests in flight the sizing may reach (not with `concurrency`). Default 512. */
  maxConcurrency?: number;
  /** Per-request timeout, connection to last byte of the answer. Default 30 000 ms. */
  timeoutMs?: number;
  /** Attempts per request, the first included. Default 6. */
  maxAttempts?: number;
  /** Backoff ceiling of the first retry; doubles per retry. Default 200 ms. */
  backoffBaseMs?: number;
  /** Highest backoff ceiling. Default 20 000 ms. */
  backoffCapMs?: number;
  /**
   * USER/ACCOUNT with insertMissing: true when PX is known to hold the record of this id (the
   * sync ledger holds it): the row's first write is then a `PUT`. Other ids get the write the
   * recent rows suggest (see write-order.ts).
   */
  knownId?: (id: string) => boolean;
  /**
   * Default true: when PX refuses or fails every request for a sustained spell (30 s, or sooner
   * once the retry quota is spent: see availability.ts), wait for it (probes only) and carry on.
   * false: that spell ends the run with the fatal `PX_UNAVAILABLE` (message: what PX answered,
   * since when).
   */
  wait?: boolean;
  /**
   * How long PX must refuse or fail every request before it is unavailable (the spell, see
   * availability.ts). Default `SPELL_MS`, 30 000. A check that must answer in seconds (a
   * pre-flight with `wait: false`: a wrong host or port is likelier there than an outage) sets
   * a few seconds.
   */
  unavailableAfterMs?: number;
  /** Consulted before every request leaves (a daily budget: see `RequestBudget`). */
  requestBudget?: RequestBudget | undefined;
  /** Told when a wait for PX starts and ends. */
  onWait?: ((event: PxWaitEvent) => void) | undefined;
  /**
   * Tests only: the monotonic clock of the limiter and of the latency figures, in place of
   * `performance.now()`. A test that also mocks the timers (`node:test`'s `mock.timers`) sets
   * the time of every start instead of waiting for it. Default `performance.now()`.
   */
  clock?: MonotonicClock;
}

export const DEFAULT_RATE = 150;
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface ResolvedClientOptions {
  baseUrl: string;
  apiKey: string;
  rate: number;
  /** Requests in flight at most: pinned, or the start of the sizing (`inFlight`). */
  concurrency: number;
  /** The bounds the in-flight cap is sized within; undefined when `concurrency` pins it. */
  inFlight: InFlightBounds | undefined;
  timeoutMs: number;
  retry: RetryOptions;
  /** `PxClientOptions.wait`, default true. */
  wait: boolean;
  /** `PxClientOptions.unavailableAfterMs`, default `SPELL_MS`. */
  unavailableAfterMs: number;
  requestBudget?: RequestBudget | undefined;
  onWait?: ((event: PxWaitEvent) => void) | undefined;
  /** `PxClientOptions.clock`, if given. */
  clock?: MonotonicClock;
}

/**
 * Requests in flight at the start when `concurrency` is not given: the floor of the sizing
 * (`rate × 0.25`, 8 to 512: 38 at 150/s). The round trip measured then sizes it.
 */
export function defaultConcurrency(rate: number, maxConcurrency: number = DEFAULT_BOUNDS.max): number {
  return initialInFlight(rate, inFlightBounds(maxConcurrency));
}

function inFlightBounds(maxConcurrency: number): InFlightBounds {
  return { min: Math.min(DEFAULT_BOUNDS.min, maxConcurrency), max: maxConcurrency };
}

function positive(name: string, value: number | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw invalidOption(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`);
  }
  return value;
}

/** The base URL checked (https, or http on loopback only: the key must not cross a network in clear). */
function checkBaseUrl(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidOption('baseUrl must be a URL string');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalidOption(`baseUrl is not a valid URL: ${value}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(url))) {
    throw invalidOption('baseUrl must use https:// (http:// is allowed only for loopback hosts)');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw invalidOption('baseUrl must not carry credentials, a query or a fragment');
  }
  return url.href.replace(/\/+$/, '');
}

function checkWait(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw invalidOption(`wait must be true or false, got ${String(value)}`);
  return value;
}

function checkFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalidOption(`${name} must be a function`);
  return value;
}

function checkBudget(value: RequestBudget | undefined): RequestBudget | undefined {
  if (value !== undefined && typeof value?.take !== 'function') {
    throw invalidOption('requestBudget must be an object with a take(signal) method');
  }
  return value;
}

export function resolveClientOptions(options: PxClientOptions): ResolvedClientOptions {
  const baseUrl = checkBaseUrl(options.baseUrl);
  if (typeof options.apiKey !== 'string' || options.apiKey === '') throw invalidOption('apiKey is required');
  if (/[\r\n]/.test(options.apiKey)) throw invalidOption('apiKey must be one line');
  const rate = positive('rate', options.rate, DEFAULT_RATE, false);
  const retry: RetryOptions = {
    maxAttempts: positive('maxAttempts', options.maxAttempts, DEFAULT_RETRY.maxAttempts, true),
    backoffBaseMs: positive('backoffBaseMs', options.backoffBaseMs, DEFAULT_RETRY.backoffBaseMs, false),
    backoffCapMs: positive('backoffCapMs', options.backoffCapMs, DEFAULT_RETRY.backoffCapMs, false),
  };
  const maxConcurrency = positive('maxConcurrency', options.maxConcurrency, DEFAULT_BOUNDS.max, true);
  const pinned =
    options.concurrency === undefined ? undefined : positive('concurrency', options.concurrency, 0, true);
  return {
    baseUrl,
    apiKey: options.apiKey,
    rate,
    concurrency: pinned ?? defaultConcurrency(rate, maxConcurrency),
    inFlight: pinned === undefined ? inFlightBounds(maxConcurrency) : undefined,
    timeoutMs: positive('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, false),
    retry,
    wait: checkWait(options.wait),
    unavailableAfterMs: positive('unavailableAfterMs', options.unavailableAfterMs, SPELL_MS, false),
    requestBudget: checkBudget(options.requestBudget),
    onWait: checkFunction('onWait', options.onWait),
    ...(options.clock ? { clock: options.clock } : {}),
  };
}
