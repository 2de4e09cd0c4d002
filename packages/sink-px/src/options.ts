/** Options of the client and the sink, their defaults and their checks. */
import { isLoopbackUrl } from '@pxstream/config';
import type { MonotonicClock } from './clock.js';
import { invalidOption } from './errors.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';

export interface PxClientOptions {
  /** PX API base URL including `/v1`, e.g. `https://api.aptrinsic.com/v1` or the emulator's `baseUrl`. */
  baseUrl: string;
  /** Sent as `X-APTRINSIC-API-KEY`. Never appears in an error, rejection or stats. */
  apiKey: string;
  /** Requests per second at most (the adaptive limiter starts here). Default 150 (PX allows about 200). */
  rate?: number;
  /**
   * Requests in flight at most. Default: enough to keep `rate` going at a 250 ms round trip,
   * `max(8, ceil(rate × 0.25))`, capped at 64.
   */
  concurrency?: number;
  /** Per-request timeout, connection to last byte of the answer. Default 30 000 ms. */
  timeoutMs?: number;
  /** Attempts per request, the first included. Default 6. */
  maxAttempts?: number;
  /** Backoff ceiling of the first retry; doubles per retry. Default 200 ms. */
  backoffBaseMs?: number;
  /** Highest backoff ceiling. Default 20 000 ms. */
  backoffCapMs?: number;
  /**
   * Tests only: the monotonic clock of the limiter and of the latency figures, in place of
   * `performance.now()`. A test that also mocks the timers (`node:test`'s `mock.timers`) sets
   * the time of every start instead of waiting for it. Default `performance.now()`.
   */
  clock?: MonotonicClock;
}

export const DEFAULT_RATE = 150;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Round trip the default concurrency is sized for: rate × this = requests in flight needed. */
const SIZED_ROUND_TRIP_S = 0.25;
const MAX_DEFAULT_CONCURRENCY = 64;

export interface ResolvedClientOptions {
  baseUrl: string;
  apiKey: string;
  rate: number;
  concurrency: number;
  timeoutMs: number;
  retry: RetryOptions;
  /** `PxClientOptions.clock`, if given. */
  clock?: MonotonicClock;
}

export function defaultConcurrency(rate: number): number {
  return Math.min(MAX_DEFAULT_CONCURRENCY, Math.max(8, Math.ceil(rate * SIZED_ROUND_TRIP_S)));
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
  return {
    baseUrl,
    apiKey: options.apiKey,
    rate,
    concurrency: positive('concurrency', options.concurrency, defaultConcurrency(rate), true),
    timeoutMs: positive('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, false),
    retry,
    ...(options.clock ? { clock: options.clock } : {}),
  };
}
