import type { Rejection, RowEnvelope } from '@pxstream/core';
import { createJsonlSource, type JsonlSourceOptions } from '@pxstream/source-jsonl';

export interface Collected {
  rows: RowEnvelope[];
  rejections: Rejection[];
  error: Error | undefined;
  events: number[];
  counts: { in: number; out: number; rejected: number };
}

/** Feeds `input` to a new JSON-lines source in chunks of `chunkSize` bytes (all at once when 0). */
export async function collect(
  input: string | Buffer,
  options: JsonlSourceOptions = {},
  chunkSize = 0,
): Promise<Collected> {
  const source = createJsonlSource(options);
  const out: Collected = { rows: [], rejections: [], error: undefined, events: [], counts: source.counts };
  source.on('rejection', (rejection: Rejection) => {
    out.rejections.push(rejection);
    out.events.push(rejection.row.index);
  });
  source.on('data', (row: RowEnvelope) => {
    out.rows.push(row);
    out.events.push(row.index);
  });
  const done = new Promise<void>((resolve) => {
    source.on('end', resolve);
    source.on('error', (error) => {
      out.error = error;
      resolve();
    });
  });
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const step = chunkSize > 0 ? chunkSize : Math.max(1, bytes.length);
  for (let i = 0; i < bytes.length; i += step) source.write(bytes.subarray(i, i + step));
  source.end();
  await done;
  return out;
}

export function rowView(row: RowEnvelope) {
  return { index: row.index, line: row.line, fields: row.fields, endOffset: row.endOffset };
}

export function rejectionView(rejection: Rejection) {
  return { code: rejection.code, line: rejection.row.line, index: rejection.row.index };
}
