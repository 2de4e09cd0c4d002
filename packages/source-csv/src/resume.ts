import type { RowEnvelope } from '@pxstream/core';
import type { CsvResumePoint } from './engine.js';
import { lineBreaksIn } from './lines.js';

/**
 * The point to resume reading after a finished row: the next byte, line and index. A row
 * spans one line plus one per line break inside its quoted fields, which its cell values
 * keep, so the next line is known without reading the file again.
 */
export function csvResumeAfter(row: RowEnvelope): CsvResumePoint {
  if (!Array.isArray(row.fields) || row.columns === undefined || row.endOffset === undefined) {
    throw new TypeError('csvResumeAfter needs a row produced by the CSV source');
  }
  const breaks = lineBreaksIn(row.fields as readonly string[]);
  return {
    columns: row.columns,
    line: row.line + breaks + 1,
    index: row.index + 1,
    byteOffset: row.endOffset,
  };
}
