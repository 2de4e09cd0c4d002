import type { Rejection, RowEnvelope } from '@pxstream/core';
import { createJsonArraySource, type JsonArraySourceOptions } from '@pxstream/source-json';

export interface Collected {
  rows: RowEnvelope[];
  rejections: Rejection[];
  error: (Error & { code?: string; line?: number; fatal?: boolean }) | undefined;
  /** Indexes of rows and rejections, in the order they came. */
  events: number[];
  counts: { in: number; out: number; rejected: number };
}

/** Feeds `input` to a new JSON array source in chunks of `chunkSize` bytes (all at once when 0). */
export async function collect(
  input: string | Buffer,
  options: JsonArraySourceOptions = {},
  chunkSize = 0,
): Promise<Collected> {
  const source = createJsonArraySource(options);
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
  for (let i = 0; i < bytes.length && !source.destroyed; i += step) source.write(bytes.subarray(i, i + step));
  if (!source.destroyed) source.end();
  await done;
  return out;
}

export function rowView(row: RowEnvelope) {
  return {
    index: row.index,
    line: row.line,
    fields: row.fields,
    endOffset: row.endOffset,
    endLine: (row as { endLine?: number }).endLine,
  };
}

export function rejectionView(rejection: Rejection) {
  return { code: rejection.code, line: rejection.row.line, index: rejection.row.index };
}

export function errorView(error: Collected['error']) {
  return error === undefined ? undefined : { code: error.code, line: error.line, fatal: error.fatal };
}
