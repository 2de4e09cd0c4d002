/**
 * PX's records, read back over the list scroll (px-api.md "Reading records back"): 1,000 a
 * request, sorted by key, the next page asked for while the current one is handed on. Every
 * request goes through the client given (the sink's: the same limiter, control law, retries and
 * waits for PX as a load's; the client never asks for a page of a scroll twice, see
 * `PxClient.listPage`). A scroll that expires, fails or loses a page's answer after its first
 * page is replaced by a new one filtered past the last key read (see `ScrollPosition`), never
 * handing a record on twice.
 */
import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import { isPxStreamError, type JsonObject } from '@pxstream/core';
import { type ListPage, type ListQuery, MAX_PAGE_SIZE } from '@pxstream/sink-px';
import { type SourcePxError, sourcePxError } from './errors.js';
import { ScrollPosition } from './position.js';

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
}

/** PX's largest page: one request per 1,000 records. */
export const DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE;
/**
 * Restarts in a row with nothing read between them. A scroll expires after a wait for PX (its
 * life is undocumented: Elasticsearch's default is a minute); a new one is read at once, so a
 * second failure in a row means PX fails the scroll itself: three such are enough to say so.
 */
export const DEFAULT_MAX_RESTARTS = 3;

/**
 * Records handed on between two turns of the event loop while the next page is on its way.
 * The client's limiter starts a request from the event loop (its queue steps by
 * `setImmediate`, its gate by timers) and the answer comes in as I/O: a consumer that never
 * waits on I/O (verify's comparisons, a rebuild's hashing, an export's formatting between two
 * writes) would hold the next request back until the whole page was consumed, adding the page's
 * work to every round trip. Measured at 40 ms latency, the request went out 3 to 50+ turns
 * after the page arrived; 20 turns a page cost well under a millisecond.
 */
export const RECORDS_PER_TURN = 50;

const KEY_FIELD: Record<PxRecordType, string> = { USER: 'identifyId', ACCOUNT: 'id' };

/** A page as the reader hands it on: its new records, and where the scroll goes next. */
interface Step {
  records: JsonObject[];
  /** The scroll's next page, or undefined when this page was the last. */
  next: string | undefined;
}

/** An async iterable of PX's records (once), with its figures. */
export interface PxRecordReader extends AsyncIterable<JsonObject> {
  stats(): PxReaderStats;
}

/** The query of a scroll's first page as the reader asks for it (see `firstPage`). */
export function firstPageQuery(type: PxRecordType, filters: readonly string[] = []): ListQuery {
  const query: ListQuery = { pageSize: DEFAULT_PAGE_SIZE, sort: KEY_FIELD[type] };
  return filters.length > 0 ? { ...query, filters: [...filters] } : query;
}

/** Reads every record of `type` that the filters match, over PX's scroll. */
export function readPxRecords(options: PxReaderOptions): PxRecordReader {
  return new Reader(options);
}

class Reader implements PxRecordReader {
  private readonly position: ScrollPosition;
  private readonly query: Omit<ListQuery, 'scrollId' | 'filters'>;
  private readonly filters: readonly string[];
  private readonly maxRestarts: number;
  private pages = 0;
  private restarts = 0;
  /** Restarts since a record was last handed on. */
  private restartsInARow = 0;
  private totalHits: number | undefined;
  private started = false;

  constructor(private readonly options: PxReaderOptions) {
    const { type } = options;
    if (type !== 'USER' && type !== 'ACCOUNT') {
      throw sourcePxError('PX_INVALID_OPTION', `type must be USER or ACCOUNT, got ${String(type)}`);
    }
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw sourcePxError(
        'PX_INVALID_OPTION',
        `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(pageSize)}`,
      );
    }
    this.maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
    if (!Number.isInteger(this.maxRestarts) || this.maxRestarts < 0) {
      throw sourcePxError(
        'PX_INVALID_OPTION',
        `maxRestarts must be a whole number >= 0, got ${String(options.maxRestarts)}`,
      );
    }
    this.filters = [...(options.filters ?? [])];
    // Sorted by key: a restarted scroll then starts past the last key read.
    this.query = { pageSize, sort: KEY_FIELD[type] };
    this.position = new ScrollPosition(KEY_FIELD[type]);
  }

  stats(): PxReaderStats {
    return {
      records: this.position.read,
      pages: this.pages,
      restarts: this.restarts,
      skipped: this.position.skipped,
      totalHits: this.totalHits,
    };
  }

  async *[Symbol.asyncIterator](): AsyncIterator<JsonObject> {
    if (this.started) throw sourcePxError('PX_INVALID_OPTION', 'a PX reader is read once');
    this.started = true;
    const { signal } = this.options;
    const { firstPage } = this.options;
    let pending: Promise<Step | undefined> = firstPage ? this.from(firstPage) : this.step(undefined);
    for (;;) {
      const step = await pending;
      if (step === undefined) return;
      // The next page is on its way while this one is handed on: the round trip overlaps the
      // consumer's work instead of adding to it.
      const next = step.next;
      pending = next === undefined ? Promise.resolve(undefined) : this.step(next);
      // A consumer that stops early leaves it unread: its failure must not go unhandled.
      pending.catch(() => {});
      let handedOn = 0;
      for (const record of step.records) {
        yield record;
        if (next !== undefined && ++handedOn % RECORDS_PER_TURN === 0) await turnOfTheEventLoop();
      }
      if (signal?.aborted) return;
    }
  }

  /**
   * The next page with records to hand on (a restarted scroll may drop whole pages), or
   * undefined when the read is over (the scroll ended, or `signal` stopped it).
   */
  private async step(scrollId: string | undefined): Promise<Step | undefined> {
    const { client, type, signal } = this.options;
    const { pageSize } = this.query;
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
      const step = this.accept(page, pageSize);
      if (step.records.length > 0 || step.next === undefined) return step;
      scrollId = step.next;
    }
  }

  /** The caller's first page, then the pages after it. */
  private async from(page: ListPage): Promise<Step | undefined> {
    const step = this.accept(page, this.query.pageSize);
    return step.records.length > 0 || step.next === undefined ? step : this.step(step.next);
  }

  /** A page PX answered: its records not handed on yet, and the scroll's next page, if any. */
  private accept(page: ListPage, pageSize: number): Step {
    this.pages++;
    if (this.restarts === 0) this.totalHits = page.totalHits;
    const records = this.position.take(page.records);
    if (records.length > 0) this.restartsInARow = 0;
    // A short page is the last: `scrollId` never becomes null (px-api.md).
    const last = page.records.length < pageSize;
    if (!last && page.scrollId === undefined) throw this.noScrollId();
    const totalHits = this.totalHits ?? page.totalHits;
    this.options.onPage?.({ records: records.length, totalHits, stats: this.stats() });
    return { records, next: last ? undefined : page.scrollId };
  }

  /** The next page of a scroll, or the first page of a new one (past the last key after a restart). */
  private pageQuery(scrollId: string | undefined): ListQuery {
    if (scrollId !== undefined) return { ...this.query, scrollId };
    const filters = this.position.filters(this.filters);
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
    if (this.restartsInARow >= this.maxRestarts) throw this.failed(error);
    this.restarts++;
    this.restartsInARow++;
    this.position.restart();
    this.options.onRestart?.({ cause: error, stats: this.stats() });
  }

  private failed(cause: Error): SourcePxError {
    const tries = this.maxRestarts === 0 ? 'no restart allowed' : `${this.maxRestarts} restarts in a row`;
    return sourcePxError(
      'PX_SCROLL_FAILED',
      `PX's ${this.options.type.toLowerCase()} list failed after ${this.position.read} records and ${tries}: ${cause.message}`,
      cause,
    );
  }

  private noScrollId(): Error {
    return sourcePxError(
      'PX_SCROLL_FAILED',
      `PX answered a full page of the ${this.options.type.toLowerCase()} list without a scrollId: the next page cannot be asked for`,
    );
  }
}
