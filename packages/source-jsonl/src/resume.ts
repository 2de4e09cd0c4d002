import type { RowEnvelope } from '@pxstream/core';
import type { JsonlResumePoint } from './engine.js';

/** The point to resume reading after a finished row: the next byte, line and index. */
export function jsonlResumeAfter(row: RowEnvelope): JsonlResumePoint {
  if (row.endOffset === undefined) throw new TypeError('jsonlResumeAfter needs a row with an endOffset');
  return { line: row.line + 1, index: row.index + 1, byteOffset: row.endOffset };
}
