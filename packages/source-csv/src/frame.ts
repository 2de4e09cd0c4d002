const LF = 10;
const CR = 13;
const TAB = 9;
const SPACE = 32;

/** What a framed line holds. */
export const FrameKind = {
  /** A record to parse. */
  Record: 0,
  /** A line of spaces, tabs or CRs only: skipped, but csv-parse sees it (one record). */
  Blank: 1,
  /** A line with nothing before its terminator: skipped, csv-parse skips it too. */
  Empty: 2,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export type FrameErrorCode = 'CSV_QUOTE_NOT_CLOSED' | 'CSV_RECORD_TOO_LARGE';

export interface FrameHandler {
  /**
   * A complete record (or blank line) `buf[start, contentEnd)`, its terminator up to `end`.
   * `base` is the input offset of `buf[0]`; `line` the physical line where it starts.
   */
  record(
    buf: Buffer,
    base: number,
    start: number,
    contentEnd: number,
    end: number,
    line: number,
    kind: FrameKind,
  ): void;
  /**
   * Bytes that cannot be framed as a record. `bytes` is set when the whole bad record is
   * still in memory (never more than `maxRecordSize`); `endOffset` is the input offset
   * just past it.
   */
  bad(
    code: FrameErrorCode,
    line: number,
    raw: string,
    endOffset: number,
    bytes: Buffer | undefined,
    detail: string,
  ): void;
}

/** True when `buf[start, end)` holds only spaces, tabs and CRs. */
export function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}

/** True when the quote at `q` opens a field: it starts the record or follows a delimiter. */
export function isFieldStart(buf: Buffer, delimiter: Buffer, recStart: number, q: number): boolean {
  if (q === recStart) return true;
  const at = q - delimiter.length;
  if (at < recStart) return false;
  if (delimiter.length === 1) return buf[at] === delimiter[0];
  return buf.compare(delimiter, 0, delimiter.length, at, q) === 0;
}

/** True when the byte at `at` ends a field: a line break or a delimiter (whole, in `buf`). */
export function endsField(buf: Buffer, delimiter: Buffer, at: number): boolean {
  const c = buf[at];
  if (c === LF || c === CR) return true;
  if (delimiter.length === 1) return c === delimiter[0];
  if (at + delimiter.length > buf.length) return false;
  return buf.compare(delimiter, 0, delimiter.length, at, at + delimiter.length) === 0;
}
