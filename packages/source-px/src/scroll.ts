/**
 * One scroll of PX's list, page by page, for the reader (reader.ts): a page asked for at a time,
 * each handed over with its new records and where the scroll goes next. A scroll that expires,
 * fails or loses a page's answer after its first page is replaced by a new one filtered past the
 * last key read (see `ScrollPosition`), never handing a record on twice. A partitioned read
 * (partition.ts) runs one of these per range of `createDate`, each with its own position.
 */
import { isPxStreamError, type JsonObject } from '@pxstream/core';
import type { ListPage, ListQuery } from '@pxstream/sink-px';
import { type SourcePxError, sourcePxError } from './errors.js';
import { ScrollPosition } from './position.js';
import type { PxListClient, PxRecordType } from './types.js';

/** A page as the reader hands it on: its new records, and where the scroll goes next. */
export interface Step {
  records: JsonObject[];
  /** The scroll's next page, or undefined when this page was the last. */
  next: string | undefined;
}

export const KEY_FIELD: Record<PxRecordType, string> = { USER: 'identifyId', ACCOUNT: 'id' };

export interface ScrollSettings {
  client: PxListClient;
  type: PxRecordType;
  /** The scroll's `filter` parameters (ORed), the user's with the range's term ANDed onto each. */
  filters: readonly string[];
  pageSize: number;
  maxRestarts: number;
  signal: AbortSignal | undefined;
  /** Each page PX answered (after its records were taken). */
  onPage: (records: number) => void;
  /** Each restart, with what ended the last scroll. */
  onRestart: (cause: Error) => void;
}

export class ScrollRun {
  readonly position: ScrollPosition;
  private readonly query: Omit<ListQuery, 'scrollId' | 'filters'>;
  pages = 0;
  restarts = 0;
  /** Restarts since a record was last handed on. */
  private restartsInARow = 0;
  /** PX's count of the scroll's records, from its first scroll's pages (not a restarted one's). */
  totalHits: number | undefined;

  constructor(private readonly settings: ScrollSettings) {
    // Sorted by key: a restarted scroll then starts past the last key read.
    this.query = { pageSize: settings.pageSize, sort: KEY_FIELD[settings.type] };
    this.position = new ScrollPosition(KEY_FIELD[settings.type]);
  }

  /**
   * The next page with records to hand on (a restarted scroll may drop whole pages), or
   * undefined when the read is over (the scroll ended, or `signal` stopped it).
   */
  async step(scrollId: string | undefined): Promise<Step | undefined> {
    const { client, type, signal } = this.settings;
    for (;;) {
      if (signal?.aborted) return undefined;
      let page: ListPage;
      try {
        page = await client.listPage(type, this.pageQuery(scrollId));
      } catch (error) {
        if (signal?.aborted) return undefined;
        this.restartAfter(error);
        scrollId = undefined;
        continue;
      }
      const step = this.accept(page);
      if (step.records.length > 0 || step.next === undefined) return step;
      scrollId = step.next;
    }
  }

  /** A first page read by the caller, then the pages after it. */
  async from(page: ListPage): Promise<Step | undefined> {
    const step = this.accept(page);
    return step.records.length > 0 || step.next === undefined ? step : this.step(step.next);
  }

  /** A page PX answered: its records not handed on yet, and the scroll's next page, if any. */
  private accept(page: ListPage): Step {
    this.pages++;
    if (this.restarts === 0) this.totalHits = page.totalHits;
    const records = this.position.take(page.records);
    if (records.length > 0) this.restartsInARow = 0;
    // A short page is the last: `scrollId` never becomes null (px-api.md).
    const last = page.records.length < this.settings.pageSize;
    if (!last && page.scrollId === undefined) throw this.noScrollId();
    this.settings.onPage(records.length);
    return { records, next: last ? undefined : page.scrollId };
  }

  /** The next page of a scroll, or the first page of a new one (past the last key after a restart). */
  private pageQuery(scrollId: string | undefined): ListQuery {
    if (scrollId !== undefined) return { ...this.query, scrollId };
    const filters = this.position.filters(this.settings.filters);
    return filters.length > 0 ? { ...this.query, filters: [...filters] } : { ...this.query };
  }

  /**
   * A page failed: the error is thrown on when it is fatal (key, base URL, quota, a closed
   * client), when no page came yet (the query itself is wrong: a bad filter answers 400), or
   * after `maxRestarts` restarts in a row; otherwise a new scroll starts.
   */
  private restartAfter(error: unknown): void {
    if (!isPxStreamError(error) || error.fatal || error.code === 'PX_ABORTED' || this.pages === 0)
      throw error;
    if (this.restartsInARow >= this.settings.maxRestarts) throw this.failed(error);
    this.restarts++;
    this.restartsInARow++;
    this.position.restart();
    this.settings.onRestart(error);
  }

  private failed(cause: Error): SourcePxError {
    const { maxRestarts, type } = this.settings;
    const tries = maxRestarts === 0 ? 'no restart allowed' : `${maxRestarts} restarts in a row`;
    return sourcePxError(
      'PX_SCROLL_FAILED',
      `PX's ${type.toLowerCase()} list failed after ${this.position.read} records and ${tries}: ${cause.message}`,
      cause,
    );
  }

  private noScrollId(): Error {
    return sourcePxError(
      'PX_SCROLL_FAILED',
      `PX answered a full page of the ${this.settings.type.toLowerCase()} list without a scrollId: the next page cannot be asked for`,
    );
  }
}
