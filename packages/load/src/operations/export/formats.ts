/**
 * The text of an export, record by record: CSV under the mapping's columns, JSON-lines, or one
 * JSON array. Each is what the loader reads back to the same values.
 */
import { quoteCsvField } from '@pxstream/sink-errors';
import type { ExportFormat, ExportRecord } from './types.js';

export interface ExportFormatter {
  /** What opens the output (a CSV header, `[`). */
  head(): string;
  /** One record. */
  record(row: ExportRecord): string;
  /** What closes it (`]`). */
  tail(): string;
}

export function formatterFor(format: ExportFormat, columns: readonly string[] | null): ExportFormatter {
  switch (format) {
    case 'csv':
      if (columns === null) throw new Error('a CSV export needs columns');
      return csvFormatter(columns);
    case 'jsonl':
      return { head: () => '', record: (row) => `${JSON.stringify(row)}\n`, tail: () => '' };
    case 'json': {
      let first = true;
      return {
        head: () => '[',
        record: (row) => {
          const text = `${first ? '\n' : ',\n'}${JSON.stringify(row)}`;
          first = false;
          return text;
        },
        tail: () => (first ? ']\n' : '\n]\n'),
      };
    }
  }
}

/**
 * RFC 4180 CSV, quoted only where needed (the rejects file's quoting: a delimiter, a quote, a
 * line break, or white space at either end, which a reader may trim). Numbers as JavaScript
 * writes them (the shortest text that reads back to the same number), booleans as
 * `true`/`false`, anything nested as its JSON.
 */
function csvFormatter(columns: readonly string[]): ExportFormatter {
  return {
    head: () => `${columns.map((name) => quoteCsvField(name)).join(',')}\n`,
    record: (row) => {
      let line = '';
      for (let i = 0; i < columns.length; i++) {
        if (i > 0) line += ',';
        line += quoteCsvField(cellText(row[columns[i]!]));
      }
      return `${line}\n`;
    },
    tail: () => '',
  };
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
