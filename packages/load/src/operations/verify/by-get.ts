/**
 * Verify by id: one `GET /users/{id}` (or `/accounts/{id}`) per id of the input, the cheaper way
 * when the input holds fewer ids than PX's list has pages. The ids go out `concurrency` at a time
 * through the client's limiter (`getEach`); the answers are then settled in the input's order, so the
 * differences file reads as the input does.
 */
import type { JsonObject } from '@pxstream/core';
import { type KeptRow, settle, type VerifyContext } from './context.js';
import { getEach } from './read-px.js';

/** Answers counted between two progress calls. */
const PROGRESS_EVERY = 100;

export async function verifyByGet(
  ctx: VerifyContext,
  rows: readonly KeptRow[],
  concurrency: number,
): Promise<void> {
  const { setup, figures, signal } = ctx;
  const records: Array<JsonObject | undefined> = new Array(rows.length);
  const read = { client: setup.client, type: setup.type, count: rows.length, concurrency, signal };
  await getEach({ ...read, idOf: (at) => rows[at]!.id }, (at, record) => {
    records[at] = record;
    figures.gets++;
    figures.records++;
    if (figures.gets % PROGRESS_EVERY === 0) ctx.progress();
  });
  ctx.progress();
  if (signal?.aborted) return;
  const order = rows.map((_, i) => i).sort((a, b) => rows[a]!.line - rows[b]!.line);
  for (const i of order) await settle(ctx, rows[i]!, records[i]);
}
