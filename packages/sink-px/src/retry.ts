/**
 * Retry timing: exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff and Jitter"), and `Retry-After` in either of its forms (RFC 9110 §10.2.3).
 */

export interface RetryOptions {
  /** Attempts per request, the first included. Default 6. */
  maxAttempts: number;
  /** First backoff ceiling. Default 200 ms. */
  backoffBaseMs: number;
  /** Highest backoff ceiling. Default 20 s. */
  backoffCapMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 6, backoffBaseMs: 200, backoffCapMs: 20_000 };

/**
 * A `Retry-After` longer than this is not waited for in one go: the request is retried then
 * (and gets a new `Retry-After` if the server still refuses). Keeps a bad header from parking
 * a row for hours.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/**
 * `Retry-After` as milliseconds from `now`: delay-seconds (`"2"`, tolerated `"1.5"`) or an
 * HTTP date. `undefined` when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  // An HTTP date names its day and month (`Wed, 21 Oct 2015 07:28:00 GMT`); `Date.parse` alone
  // would also read bare numbers such as `-1` as dates.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/**
 * Delay before retry number `retry` (1 for the first retry): uniform in
 * [0, min(cap, base * 2^(retry-1))). Full jitter spreads the retries of many rows that failed
 * together, so they do not come back as one burst.
 */
export function backoffDelay(
  retry: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.backoffCapMs, options.backoffBaseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** Statuses that say "not now": the request may succeed later. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}
