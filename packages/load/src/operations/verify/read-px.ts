/**
 * Reading PX's records of given ids, the cheaper way: what `verify` and a plan that names the
 * changed fields (`planFile`) share. One request tells what PX's scroll would cost (its first
 * page, with `totalHits`: a page per 1,000 records, one for none); ids fewer than that many
 * pages are read by one `GET` each, more over the scroll.
 */
import type { PxConfig } from '@pxstream/config';
import type { JsonObject } from '@pxstream/core';
import { IN_FLIGHT_BOUNDS, type ListPage, type PxClient } from '@pxstream/sink-px';
import { DEFAULT_PAGE_SIZE, firstPageQuery } from '@pxstream/source-px';
import type { VerifyReadBy } from './types.js';

export interface PxCount {
  /** The scroll's first page, read as the count: a scroll goes on from it (`firstPage`). */
  firstPage: ListPage;
  totalHits: number;
  /** Requests the scroll takes, the count among them. */
  pages: number;
}

/** PX's count of its records of `type`: one request (1M records: 1,000 pages, this one among them). */
export async function countPx(client: PxClient, type: 'USER' | 'ACCOUNT'): Promise<PxCount> {
  const firstPage = await client.listPage(type, firstPageQuery(type));
  const { totalHits } = firstPage;
  return { firstPage, totalHits, pages: scrollPages(totalHits) };
}

/** Requests PX's scroll takes to read `totalHits` records: a page per 1,000, one for none. */
function scrollPages(totalHits: number): number {
  return Math.max(1, Math.ceil(totalHits / DEFAULT_PAGE_SIZE));
}

/** The cheaper read of `ids` ids when the scroll takes `pages` requests: a `GET` each while they are no more. */
export function cheaperRead(ids: number, pages: number): VerifyReadBy {
  return ids <= pages ? 'get' : 'scroll';
}

/**
 * `GET`s on their way at once: as many as the client may allow (its in-flight cap is sized from
 * the round trip, up to its bound), so a far PX is not held to the cap a near one starts with.
 */
export function readConcurrency(config: Pick<PxConfig, 'concurrency'>): number {
  return config.concurrency ?? IN_FLIGHT_BOUNDS.max;
}

export interface GetEach {
  client: PxClient;
  type: 'USER' | 'ACCOUNT';
  /** Ids to read, `idOf(0)` to `idOf(count - 1)`. */
  count: number;
  idOf: (at: number) => string;
  concurrency: number;
  signal?: AbortSignal | undefined;
}

/**
 * One `GET` per id, `concurrency` at a time through the client's limiter (and its waits for PX);
 * `onRecord` gets each answer as it comes, by the id's index (`undefined`: PX has no such record).
 * A stop (`signal`) starts no more.
 */
export async function getEach(
  read: GetEach,
  onRecord: (at: number, record: JsonObject | undefined) => void,
): Promise<void> {
  const { client, type, count, idOf, signal } = read;
  let next = 0;
  const worker = async () => {
    while (next < count && !signal?.aborted) {
      const at = next++;
      onRecord(at, await client.getRecord(type, idOf(at)));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(read.concurrency, count)) }, worker));
}

/** What the read of PX will cost, said before it starts (`what`: "ids to check"...). */
export function readByLine(
  readBy: VerifyReadBy,
  ids: number,
  totalHits: number | null,
  what: string,
): string {
  const records = totalHits === null ? "PX's records" : `PX's ${totalHits} records`;
  if (readBy === 'get') return `${ids} ${what}: one request each (${records} would take more pages)`;
  const pages = totalHits === null ? undefined : scrollPages(totalHits);
  const cost = pages === undefined ? 'a request per 1,000' : pages === 1 ? '1 request' : `${pages} requests`;
  return `${ids} ${what}: reading ${records} over the scroll (${cost})`;
}
