import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Rejection, RowEnvelope } from '@pxstream/core';
import { createCsvSource } from '@pxstream/source-csv';

export const COLUMNS: readonly string[] = ['id', 'email', 'note'];
export const KEY = 'pxk-SECRET-KEY-123456';

/**
 * node's arguments to run a TypeScript file of this repository: its compiled sibling (`x.ts.mjs`)
 * when this module runs compiled (scripts/compile-tests.mjs), else the file itself through tsx.
 */
export const runTs = (file: string): string[] =>
  import.meta.url.endsWith('.ts.mjs') ? [`${file}.mjs`] : ['--import', 'tsx', file];

/** A CSV rejection of a row with these fields (header `COLUMNS`), at physical line `line`. */
export function csvRejection(fields: readonly string[], extra: Partial<Rejection> = {}, line = 2): Rejection {
  const row: RowEnvelope = { index: line - 2, line, fields, columns: COLUMNS };
  return {
    row,
    stage: 'validate',
    code: 'VALIDATE_INVALID_EMAIL',
    message: 'email is not an email',
    ...extra,
  };
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pxs-rejects-'));
}

export async function tempPath(name: string): Promise<string> {
  return join(await tempDir(), name);
}

/** Reads a rejects CSV back with pxstream's own CSV source (csv-parse underneath). */
export async function readCsv(path: string): Promise<{ columns: readonly string[]; rows: string[][] }> {
  const source = createCsvSource();
  const rows: string[][] = [];
  const rejected: Rejection[] = [];
  let columns: readonly string[] = [];
  source.on('header', (names: readonly string[]) => {
    columns = names;
  });
  source.on('rejection', (rejection: Rejection) => rejected.push(rejection));
  await pipeline(
    Readable.from([await readFile(path)]),
    source,
    async (rowsIn: AsyncIterable<RowEnvelope>) => {
      for await (const row of rowsIn) rows.push([...(row.fields as string[])]);
    },
  );
  if (rejected.length > 0) throw new Error(`the rejects file does not parse: ${rejected[0]?.message}`);
  return { columns, rows };
}

/** Non-empty lines of a text file. */
export async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}
