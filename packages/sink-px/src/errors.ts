import { PxStreamError, type PxStreamErrorOptions } from '@pxstream/core';

/**
 * Codes of the errors and rejections the PX sink raises. Users match on these, never on
 * messages (px-api.md, STYLE.md habit 2).
 */
export type PxSinkErrorCode =
  /**
   * 401: the key is wrong or revoked; 403: it lacks the read or write permission the request
   * needs (the message says which). Fatal: the whole run stops.
   */
  | 'PX_AUTH_FAILED'
  /** 404 without PX's record error (no route, a gateway page): the base URL is wrong. Fatal. */
  | 'PX_WRONG_BASE_URL'
  /**
   * With `wait: false`, a 429 whose body says "quota" (a fast path: PX documents no such body).
   * Fatal: retrying cannot help today.
   */
  | 'PX_DAILY_QUOTA'
  /**
   * With `wait: false`, PX refused or failed every request for a spell (availability.ts): the run
   * stops instead of waiting for PX. Fatal.
   */
  | 'PX_UNAVAILABLE'
  /**
   * The daily request budget is reached with `wait: false`: raised by the caller's
   * `requestBudget`, it stops the run through the sink. Fatal.
   */
  | 'PX_DAILY_BUDGET'
  /** Any other 4xx (or unexpected status) for one row: that row is rejected, the run goes on. */
  | `PX_HTTP_${number}`
  /** 5xx answers until `maxAttempts` was reached while PX answered other requests (a 429 never counts). */
  | 'PX_RETRIES_EXHAUSTED'
  /** Timeouts until `maxAttempts` was reached while PX answered other requests. */
  | 'PX_TIMEOUT'
  /** Refused or reset connections until `maxAttempts` was reached while PX answered other requests. */
  | 'PX_CONNECTION_FAILED'
  /** A custom event whose answer was lost after it was sent: it may have been recorded. */
  | 'PX_EVENT_MAYBE_RECORDED'
  /** A row without the key or the body the sink needs. */
  | 'PX_INVALID_ROW'
  /** PX answered 2xx with a body that is not what the API documents (metadata, records). */
  | 'PX_INVALID_RESPONSE'
  /** The client was closed while the request was pending. */
  | 'PX_ABORTED'
  /** Bad options (e.g. insertMissing with CUSTOM_EVENT). */
  | 'PX_INVALID_OPTION';

export type PxSinkError = PxStreamError<PxSinkErrorCode>;

/** Every error of this package is raised at the `send` stage. */
export function sinkError(
  code: PxSinkErrorCode,
  message: string,
  options: Omit<PxStreamErrorOptions, 'stage'> = {},
): PxSinkError {
  return new PxStreamError<PxSinkErrorCode>(code, message, { stage: 'send', ...options });
}

export function httpCode(status: number): PxSinkErrorCode {
  return `PX_HTTP_${status}`;
}

export function invalidOption(message: string): PxSinkError {
  return sinkError('PX_INVALID_OPTION', message, { fatal: true });
}
