/** The reader's options, events and figures (reader.ts). */
import type { JsonObject } from '@pxstream/core';
import type { ListPage, ListQuery } from '@pxstream/sink-px';

export type PxRecordType = 'USER' | 'ACCOUNT';

/** What the reader needs of a client: `PxClient.listPage`. */
export interface PxListClient {
  listPage(type: PxRecordType, query: ListQuery): Promise<ListPage>;
}

export interface PxReaderOptions {
  /** A PX client (`createPxClient`); the caller closes it. */
  client: PxListClient;
  type: PxRecordType;
  /** PX `filter` parameters, ORed; each `;`-joined terms (`customAttributes.plan==gold;score>10`). */
  filters?: readonly string[];
  /** Records per request, 1 to 1,000. Default 1,000 (PX's most: the fewest requests). */
  pageSize?: number;
  /**
   * Restarts of a failed scroll in a row, with no new record read between them, before the
   * read fails with `PX_SCROLL_FAILED`. Default 3.
   */
  maxRestarts?: number;
  /** Ends the read: no request starts any more and the iteration ends (without an error). */
  signal?: AbortSignal;
  /** Each page as it comes, before its records are handed on. */
  onPage?: (page: PxPageEvent) => void;
  /** Each restart of the scroll, with what ended the last one. */
  onRestart?: (restart: PxRestartEvent) => void;
  /**
   * The scroll's first page, already read by the caller with `firstPageQuery(type, filters)`
   * (verify reads it as its count: one request for both): the read starts with its records and
   * goes on from its scrollId.
   */
  firstPage?: ListPage;
  /**
   * Scrolls read at once, 1 to 16. Default 1: one scroll, the records sorted by key. Above 1, a
   * read of at least `partitionMinRecords` records is cut into that many ranges of `createDate`
   * read at once (a few requests of one record each find the cuts), and the records come in no
   * particular order; where the ranges cannot be cut safely, one scroll reads it all.
   */
  scrolls?: number;
  /** The smallest read cut into ranges (`scrolls`). Default `DEFAULT_PARTITION_MIN_RECORDS`. */
  partitionMinRecords?: number;
  /** What the read came to, once it is known (with `scrolls` above 1): ranges, or why not. */
  onPartition?: (partition: PxPartitionEvent) => void;
}

export interface PxPartitionEvent {
  /** Scrolls reading at once: the ranges, or 1. */
  scrolls: number;
  /**
   * Why one scroll reads it all: `small` (fewer records than `partitionMinRecords`), `uncut`
   * (no `createDate` to cut on, or the records share one), `unequal` (the ranges' counts do not
   * add up to the whole read's: records without `createDate`, a PX that ignores the filter, or
   * records created meanwhile), `refused` (PX refused a count or a range's first page).
   */
  single?: 'small' | 'uncut' | 'unequal' | 'refused';
  /** PX's count of the whole read, and of each range (its scroll's first page). */
  totalHits: number;
  ranges: number[];
  /** The `filter` parameters of each range. */
  filters: string[][];
}

export interface PxPageEvent {
  /** Records of this page that are handed on (a restarted scroll may drop some). */
  records: number;
  /** PX's count of the records the filters match (see `PxReaderStats.totalHits`). */
  totalHits: number;
  stats: PxReaderStats;
}

export interface PxRestartEvent {
  /** Why the scroll was given up: PX's answer (an expired scroll), or the client's retries used up. */
  cause: Error;
  stats: PxReaderStats;
}

export interface PxReaderStats {
  /** Records handed on so far. */
  records: number;
  /** Pages PX answered. */
  pages: number;
  /** Scrolls started again. */
  restarts: number;
  /** Records a restarted scroll gave again, dropped. */
  skipped: number;
  /**
   * PX's count of the records the filters match, from the first scroll's pages (a restarted
   * scroll counts only what is past the last key); undefined before the first page.
   */
  totalHits: number | undefined;
  /** With `scrolls` above 1: the scrolls reading at once (1 until the ranges are read, or when not cut). */
  scrolls?: number;
  /** With `scrolls` above 1: the requests of one record that counted (to find the ranges). */
  counts?: number;
}

/** An async iterable of PX's records (once), with its figures. */
export interface PxRecordReader extends AsyncIterable<JsonObject> {
  stats(): PxReaderStats;
}
