import { PxStreamError } from '@pxstream/core';

/**
 * Stable codes of the JSON array source. Element-level codes become rejections (the run goes
 * on); the others are fatal: the stream is destroyed with a `PxStreamError` carrying the code.
 */
export type JsonArrayErrorCode =
  /** An element that is valid JSON but not an object (number, string, boolean, null, array). */
  | 'JSON_NOT_OBJECT'
  /** An element over `maxRecordSize` bytes, skipped without being parsed. */
  | 'JSON_RECORD_TOO_LARGE'
  /** Fatal: the top level is not an array (one object, a number, a string... or not JSON). */
  | 'JSON_NOT_ARRAY'
  /** Fatal: several top-level values, one object per line: a JSON-lines file. */
  | 'JSON_LOOKS_LIKE_JSONL'
  /** Fatal: invalid JSON inside the array or after its closing bracket. */
  | 'JSON_INVALID_JSON'
  /** Fatal: the input ends before the array's closing bracket. */
  | 'JSON_TRUNCATED'
  /** Fatal: an invalid option. */
  | 'JSON_INVALID_OPTION';

export type JsonArrayError = PxStreamError<JsonArrayErrorCode>;

export function fatalJsonError(code: JsonArrayErrorCode, message: string, line?: number): JsonArrayError {
  return new PxStreamError(code, message, {
    fatal: true,
    stage: 'parse',
    ...(line === undefined ? {} : { line }),
  });
}
