import type { Redactor, Rejection } from '@pxstream/core';
import { invalidOption } from './errors.js';

/** The columns a CSV rejects file adds after the input's own, in this order. */
export const REJECT_COLUMNS = ['_line', '_stage', '_code', '_status', '_message'] as const;

/** The identity: what is written when no secret is to be hidden. */
const keep: Redactor = (text) => text;

/** Put between a rejection's message and the raw text of its row in `_message`. */
export const RAW_SEPARATOR = ' | raw: ';

/**
 * RFC 4180 quoting, written by hand rather than with csv-stringify: it is one regular-expression
 * test per cell, needs no dependency, and stays synchronous (csv-stringify is a stream, or a
 * whole-array `sync` call), which the writer's `write()` must be. A field is quoted only when it
 * must be: it holds the delimiter, a quote, CR or LF, or starts or ends with white space (which a
 * trimming reader would lose); quotes are doubled. A leading `=`, `+`, `-` or `@` is left alone
 * (no CSV-injection escaping): the file is for reloading, and must give back the exact values.
 */
export function quoteCsvField(value: string, delimiter = ','): string {
  return quoterFor(delimiter)(value);
}

type Quoter = (value: string) => string;
const quoters = new Map<string, Quoter>();

function quoterFor(delimiter: string): Quoter {
  let quoter = quoters.get(delimiter);
  if (quoter === undefined) {
    checkDelimiter(delimiter);
    const escaped = delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const needsQuotes = new RegExp(`${escaped}|["\\r\\n]|^\\s|\\s$`);
    quoter = (value) => (needsQuotes.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
    quoters.set(delimiter, quoter);
  }
  return quoter;
}

/** Throws `REJECTS_INVALID_OPTION` unless the delimiter can be written unambiguously. */
export function checkDelimiter(delimiter: string): void {
  if (typeof delimiter !== 'string' || delimiter.length === 0 || /["\r\n]/.test(delimiter)) {
    throw invalidOption(
      `invalid CSV delimiter ${JSON.stringify(delimiter)}: it must be non-empty, without quotes or line breaks`,
    );
  }
}

/** How a rejects file ends its lines: the input's own, so the editor that made it reads it back. */
export type LineBreak = '\n' | '\r\n';

function csvLine(
  cells: readonly string[],
  quote: Quoter,
  delimiter: string,
  lineBreak: LineBreak = '\n',
): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : delimiter) + quote(cells[i]!);
  return line + lineBreak;
}

/**
 * The header line: the input's columns, then `REJECT_COLUMNS`. A byte order mark left in the
 * first column name is dropped. With no columns (they never came), only the reject columns.
 */
export function rejectsCsvHeader(
  columns: readonly string[],
  delimiter = ',',
  redact: Redactor = keep,
  lineBreak: LineBreak = '\n',
): string {
  const cells = columns.map((name, i) => redact(i === 0 ? name.replace(/^\uFEFF/, '') : name));
  return csvLine([...cells, ...REJECT_COLUMNS], quoterFor(delimiter), delimiter, lineBreak);
}

/**
 * One rejection as one CSV record of the header's width (`columns.length` + the reject columns),
 * whatever the row holds:
 * - fields are written in header order; a row with fewer is padded with empty cells, one with
 *   more keeps the first `columns.length`;
 * - whenever the row's text is not fully in the cells, it goes to `_message` after
 *   `RAW_SEPARATOR`: the rejection's `raw` when it has one (a row that could not be split, or
 *   was split leniently: its cells may be partial), else, for a row with more fields than the
 *   header, all its fields written as one CSV line. So nothing of the input is lost.
 */
export function formatCsvRejection(
  rejection: Rejection,
  columns: readonly string[],
  delimiter = ',',
  redact: Redactor = keep,
  lineBreak: LineBreak = '\n',
): string {
  const quote = quoterFor(delimiter);
  const { row } = rejection;
  const width = columns.length;
  const fields: readonly string[] = Array.isArray(row.fields) ? row.fields : [];
  let line = '';
  for (let i = 0; i < width; i++) {
    const value: unknown = fields[i];
    line += `${quote(value === undefined || value === null ? '' : redact(String(value)))}${delimiter}`;
  }
  let message = rejection.message;
  const raw = rejection.raw ?? overflowText(row.fields, width, delimiter);
  if (raw !== undefined) message += RAW_SEPARATOR + raw;
  const status = rejection.status === undefined ? '' : String(rejection.status);
  line += `${row.line}${delimiter}${quote(rejection.stage)}${delimiter}${quote(redact(rejection.code))}${delimiter}`;
  return `${line}${status}${delimiter}${quote(redact(message))}${lineBreak}`;
}

/** The text of fields that do not fit in the header (none when they all do). */
function overflowText(
  fields: Rejection['row']['fields'],
  width: number,
  delimiter: string,
): string | undefined {
  if (Array.isArray(fields)) {
    if (fields.length <= width) return undefined;
    return csvLine(fields, quoterFor(delimiter), delimiter).slice(0, -1);
  }
  // An object (a JSON-lines row in a CSV rejects file): kept whole as JSON.
  return Object.keys(fields).length > 0 ? JSON.stringify(fields) : undefined;
}
