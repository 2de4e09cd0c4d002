import { PxStreamError } from '@pxstream/core';

/**
 * Stable codes of the CSV source. Record-level codes become rejections (the run goes on);
 * header and option codes are fatal. csv-parse's own codes are kept, prefixed `CSV_`.
 */
export type CsvErrorCode =
  /** A quote opened and never closed (by the end of input or within `maxRecordSize`). */
  | 'CSV_QUOTE_NOT_CLOSED'
  /** A closing quote followed by something else than a delimiter or line break. */
  | 'CSV_INVALID_CLOSING_QUOTE'
  /** A quote in the middle of an unquoted field. */
  | 'CSV_INVALID_OPENING_QUOTE'
  /** A record with more or fewer fields than the header. */
  | 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'
  /** A record over `maxRecordSize` bytes. */
  | 'CSV_RECORD_TOO_LARGE'
  /** A record csv-parse refused for another reason. */
  | 'CSV_INVALID_RECORD'
  /** Fatal: two header columns with the same (trimmed) name. */
  | 'CSV_DUPLICATE_HEADER'
  /** Fatal: a header column whose name is empty once trimmed. */
  | 'CSV_EMPTY_HEADER'
  /** Fatal: the header holds a CR that ends no line: lines end in CR alone (classic Mac). */
  | 'CSV_UNSUPPORTED_LINE_BREAK'
  /** Fatal: `resumeFrom` without the header's columns. */
  | 'CSV_NO_HEADER'
  /** Fatal: an invalid option. */
  | 'CSV_INVALID_OPTION';

export type CsvError = PxStreamError<CsvErrorCode>;

/** A fatal error of the CSV source: the stream is destroyed with it. */
export function fatalCsvError(code: CsvErrorCode, message: string, line?: number): CsvError {
  return new PxStreamError(code, message, {
    fatal: true,
    stage: 'parse',
    ...(line === undefined ? {} : { line }),
  });
}

/** A CR not followed by LF: in a header, the sign of a file whose lines end in CR alone. */
const BARE_CR = /\r(?!\n)/;

/**
 * The fatal error for a header holding a bare CR, or undefined. Such a file (classic Mac line
 * breaks) would otherwise read as one long header line and zero rows.
 */
export function bareCrError(text: string, line: number): CsvError | undefined {
  if (!BARE_CR.test(text)) return undefined;
  return fatalCsvError(
    'CSV_UNSUPPORTED_LINE_BREAK',
    `the CSV header on line ${line} holds a carriage return that ends no line: lines ending in CR alone (classic Mac) are not supported, save the file with LF or CRLF line breaks`,
    line,
  );
}

/** Maps a csv-parse error code to ours. */
export function csvParseCode(code: unknown): CsvErrorCode {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return code;
    case 'INVALID_OPENING_QUOTE':
      return 'CSV_INVALID_OPENING_QUOTE';
    default:
      return 'CSV_INVALID_RECORD';
  }
}

/** One-line human message for a record-level code. */
export function recordMessage(code: CsvErrorCode, line: number, detail = ''): string {
  const where = `record starting on line ${line}`;
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `quote not closed in ${where}${detail}`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `invalid closing quote in ${where}: a closing quote must be followed by a delimiter or a line break`;
    case 'CSV_INVALID_OPENING_QUOTE':
      return `invalid opening quote in ${where}: a quote inside an unquoted field`;
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `${where} has ${detail}`;
    case 'CSV_RECORD_TOO_LARGE':
      return `${where} is larger than maxRecordSize${detail}`;
    default:
      return `cannot parse ${where}${detail}`;
  }
}
