import { PxStreamError } from '@pxstream/core';

/**
 * Codes of the errors the PX reader raises itself. Answers of PX keep the client's codes
 * (`PX_HTTP_400` for a bad filter, `PX_AUTH_FAILED`, `PX_INVALID_RESPONSE`...).
 */
export type SourcePxErrorCode =
  /**
   * A scroll was restarted (it expired, or kept failing) and the record it had reached is no
   * longer where it was: going on could hand a record on twice, so the read stops.
   */
  | 'PX_SCROLL_LOST'
  /** The scroll failed again after each of `maxRestarts` restarts in a row with nothing read. */
  | 'PX_SCROLL_FAILED'
  /** Bad options of the reader (the client's code for its own). */
  | 'PX_INVALID_OPTION';

export type SourcePxError = PxStreamError<SourcePxErrorCode>;

export function sourcePxError(code: SourcePxErrorCode, message: string, cause?: unknown): SourcePxError {
  return new PxStreamError<SourcePxErrorCode>(code, message, {
    fatal: true,
    ...(cause === undefined ? {} : { cause }),
  });
}
