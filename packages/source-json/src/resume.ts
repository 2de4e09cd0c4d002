import type { RowEnvelope } from '@pxstream/core';
import type { JsonArrayResumePoint } from './engine.js';

/**
 * The point to resume reading after a finished row (or rejected element): just past the
 * element, on the line where it ends, with the next index. Needs a row of the JSON array
 * source: it alone knows that line (`endLine`), which whitespace inside the element decides.
 */
export function jsonArrayResumeAfter(row: RowEnvelope): JsonArrayResumePoint {
  const { endLine } = row as { endLine?: unknown };
  if (row.endOffset === undefined || typeof endLine !== 'number') {
    throw new TypeError('jsonArrayResumeAfter needs a row produced by the JSON array source');
  }
  return { line: endLine, index: row.index + 1, byteOffset: row.endOffset };
}
