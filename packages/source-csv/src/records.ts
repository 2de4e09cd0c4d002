import { parse } from 'csv-parse/sync';

/**
 * csv-parse options for a framed record. Records arrive complete (the framer cut them), so
 * one is parsed synchronously in one call, with no cross-chunk state. The field count is
 * checked against the header by the caller, and size limits and BOM are handled by the framer.
 */
function recordOptions(delimiter: string, crlf = true) {
  return {
    delimiter,
    record_delimiter: crlf ? ['\r\n', '\n'] : ['\n'],
    quote: '"',
    escape: '"',
    relax_column_count: true,
    skip_empty_lines: true,
    bom: false,
  };
}

export type RecordParser = (bytes: Buffer) => string[][];

/**
 * A parser of complete records: returns one cell array per record, throws csv-parse's errors.
 * Bytes without CR get LF as their only record delimiter: csv-parse tests every delimiter
 * at every byte, and one fewer is faster.
 */
export function createRecordParser(delimiter: string): RecordParser {
  const lf = recordOptions(delimiter, false);
  const crlf = recordOptions(delimiter);
  return (bytes) => parse(bytes, bytes.indexOf(13) < 0 ? lf : crlf);
}

/**
 * Best-effort cells of a rejected record, for the rejection's `fields`: quotes relaxed, then
 * quotes ignored; `[]` when even that fails.
 */
export function lenientCells(bytes: Buffer, delimiter: string): string[] {
  const base = recordOptions(delimiter);
  for (const extra of [{ relax_quotes: true }, { quote: null }]) {
    try {
      const records = parse(bytes, { ...base, ...extra });
      if (records.length === 1) return records[0]!;
    } catch {
      // try the next, more lenient reading
    }
  }
  return [];
}
