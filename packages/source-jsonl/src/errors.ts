import { PxStreamError } from '@pxstream/core';

/** Stable codes of the JSON-lines source. Line-level codes become rejections; the others are fatal. */
export type JsonlErrorCode =
  /** A line that is not valid JSON. */
  | 'JSONL_INVALID_JSON'
  /** A line that is valid JSON but not an object (array, number, string, boolean, null). */
  | 'JSONL_NOT_OBJECT'
  /** A line over `maxLineSize` bytes. */
  | 'JSONL_LINE_TOO_LARGE'
  /** Fatal: an invalid option. */
  | 'JSONL_INVALID_OPTION';

export type JsonlError = PxStreamError<JsonlErrorCode>;

export function fatalJsonlError(code: JsonlErrorCode, message: string): JsonlError {
  return new PxStreamError(code, message, { fatal: true, stage: 'parse' });
}
