import type { Rejection, RowEnvelope } from '@pxstream/core';
import { type CsvSourceOptions, createCsvSource } from '@pxstream/source-csv';

export interface Collected {
  headers: (readonly string[])[];
  rows: RowEnvelope[];
  rejections: Rejection[];
  error: (Error & { code?: string; fatal?: boolean }) | undefined;
  /** Everything in arrival order, to check that the header comes first. */
  events: string[];
  counts: { in: number; out: number; rejected: number };
  columns: readonly string[] | undefined;
}

/** Feeds `input` to a new CSV source in chunks of `chunkSize` bytes (all at once when 0). */
export async function collect(
  input: string | Buffer,
  options: CsvSourceOptions = {},
  chunkSize = 0,
): Promise<Collected> {
  const source = createCsvSource(options);
  const out: Collected = {
    headers: [],
    rows: [],
    rejections: [],
    error: undefined,
    events: [],
    counts: source.counts,
    columns: undefined,
  };
  source.on('header', (columns: readonly string[]) => {
    out.headers.push(columns);
    out.events.push('header');
  });
  source.on('rejection', (rejection: Rejection) => {
    out.rejections.push(rejection);
    out.events.push(`rejection ${rejection.row.index}`);
  });
  source.on('data', (row: RowEnvelope) => {
    out.rows.push(row);
    out.events.push(`row ${row.index}`);
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
  out.columns = source.columns;
  return out;
}

/** The parts of a row a test compares. */
export function rowView(row: RowEnvelope) {
  return { index: row.index, line: row.line, fields: row.fields, endOffset: row.endOffset };
}

/** The parts of a rejection a test compares. */
export function rejectionView(rejection: Rejection) {
  return { code: rejection.code, line: rejection.row.line, index: rejection.row.index };
}
