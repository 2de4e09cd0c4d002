/** Codes of `@pxstream/mapper`: per-row rejections, and one fatal error for a bad header. */
export type MapperErrorCode =
  | 'MAP_UNKNOWN_COLUMN'
  | 'MAP_CONFLICTING_PATHS'
  | 'MAP_INVALID_DATE'
  | 'MAP_INVALID_NUMBER'
  | 'MAP_NOT_INTEGER'
  | 'MAP_INVALID_BOOLEAN'
  | 'MAP_INVALID_VALUE';

/**
 * Why a value could not be converted. One frozen instance per reason: a failed conversion
 * allocates nothing until the rejection message is built.
 */
export class ConversionFailure {
  constructor(
    readonly code: MapperErrorCode,
    /** Completes `<field>: "<value>" (column <c>) ...`. */
    readonly reason: string,
  ) {
    Object.freeze(this);
  }
}

export const FAILURES = {
  date: new ConversionFailure('MAP_INVALID_DATE', 'is not an ISO 8601 date or epoch milliseconds'),
  number: new ConversionFailure('MAP_INVALID_NUMBER', 'is not a number'),
  integer: new ConversionFailure('MAP_NOT_INTEGER', 'is not a whole number'),
  boolean: new ConversionFailure('MAP_INVALID_BOOLEAN', 'is not a boolean (true/false, yes/no, y/n, 1/0)'),
  nested: new ConversionFailure('MAP_INVALID_VALUE', 'is an object or array, not a single value'),
} as const;
