/**
 * PX's records, read back over the list scroll (px-api.md "Reading records back"): 1,000 a
 * request, sorted by key, the next page asked for while the current one is handed on. Every
 * request goes through the client given (the sink's: the same limiter, control law, retries and
 * waits for PX as a load's; the client never asks for a page of a scroll twice, see
 * `PxClient.listPage`). A scroll that expires, fails or loses a page's answer after its first
 * page is replaced by a new one filtered past the last key read (see `ScrollPosition`), never
 * handing a record on twice.
 *
 * With `scrolls` above 1, a read of at least `partitionMinRecords` records is cut into that many
 * ranges of `createDate` (partition.ts), each read by its own scroll (scroll.ts), all at once and
 * all through the same client: the limiter, the 200/s budget and the waits for PX hold for the
 * sum of them. The records then come in no particular order (an interleaving of the ranges'
 * pages; PX documents no order of a list either), each exactly once: the ranges do not overlap,
 * their counts must add up to the whole read's before any record is handed on (else the read
 * stays one scroll), and a range whose scroll fails starts again past its own last key.
 */
import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import { isPxStreamError, type JsonObject } from '@pxstream/core';
import { type ListQuery, MAX_PAGE_SIZE } from '@pxstream/sink-px';
import { sourcePxError } from './errors.js';
import { type CountOf, planRanges } from './partition.js';
import { KEY_FIELD, ScrollRun, type Step } from './scroll.js';
import type {
  PxPartitionEvent,
  PxReaderOptions,
  PxReaderStats,
  PxRecordReader,
  PxRecordType,
} from './types.js';

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

/**
 * The smallest read cut into ranges. Finding the ranges costs about 2 + k requests and three
 * round trips more, and the first page read before is given up (its records come again from
 * the ranges): some 10 requests and 0.2 s at 40 ms. 25,000 records is 25 pages (a second or
 * more for one scroll at 40 ms, and several at PX's real latency), so the cut pays for its
 * round trips from there and adds at most 40% to the requests (1% at 1M records).
 */
export const DEFAULT_PARTITION_MIN_RECORDS = 25_000;
/** More scrolls than this gain nothing (the client's CPU, PX's 200/s) and hold more pages. */
export const MAX_SCROLLS = 16;

/** The query of a scroll's first page as the reader asks for it (see `firstPage`). */
export function firstPageQuery(type: PxRecordType, filters: readonly string[] = []): ListQuery {
  const query: ListQuery = { pageSize: DEFAULT_PAGE_SIZE, sort: KEY_FIELD[type] };
  return filters.length > 0 ? { ...query, filters: [...filters] } : query;
}

/** Reads every record of `type` that the filters match, over PX's scroll (or several). */
export function readPxRecords(options: PxReaderOptions): PxRecordReader {
  return new Reader(options);
}

/** A scroll being read: its next page on its way (undefined: it ended). */
interface Lane {
  run: ScrollRun;
  next: Promise<{ lane: Lane; step: Step | undefined }>;
}

class Reader implements PxRecordReader {
  private readonly filters: readonly string[];
  private readonly pageSize: number;
  private readonly maxRestarts: number;
  private readonly scrolls: number;
  /** The scrolls whose records are handed on (the first one, then the ranges' if cut). */
  private runs: ScrollRun[] = [];
  /** Pages PX answered to scrolls given up (the first page before a cut, ranges that did not add up). */
  private pagesGivenUp = 0;
  private counts = 0;
  private totalHits: number | undefined;
  private started = false;

  constructor(private readonly options: PxReaderOptions) {
    const { type } = options;
    if (type !== 'USER' && type !== 'ACCOUNT') {
      throw sourcePxError('PX_INVALID_OPTION', `type must be USER or ACCOUNT, got ${String(type)}`);
    }
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > MAX_PAGE_SIZE) {
      throw sourcePxError(
        'PX_INVALID_OPTION',
        `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(this.pageSize)}`,
      );
    }
    this.maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
    if (!Number.isInteger(this.maxRestarts) || this.maxRestarts < 0) {
      throw sourcePxError(
        'PX_INVALID_OPTION',
        `maxRestarts must be a whole number >= 0, got ${String(options.maxRestarts)}`,
      );
    }
    this.scrolls = options.scrolls ?? 1;
    if (!Number.isInteger(this.scrolls) || this.scrolls < 1 || this.scrolls > MAX_SCROLLS) {
      throw sourcePxError(
        'PX_INVALID_OPTION',
        `scrolls must be a whole number from 1 to ${MAX_SCROLLS}, got ${String(options.scrolls)}`,
      );
    }
    const least = options.partitionMinRecords ?? DEFAULT_PARTITION_MIN_RECORDS;
    if (!Number.isInteger(least) || least < 0) {
      throw sourcePxError(
        'PX_INVALID_OPTION',
        `partitionMinRecords must be a whole number >= 0, got ${String(options.partitionMinRecords)}`,
      );
    }
    this.filters = [...(options.filters ?? [])];
  }

  stats(): PxReaderStats {
    const sum = (of: (run: ScrollRun) => number) => this.runs.reduce((total, run) => total + of(run), 0);
    const stats: PxReaderStats = {
      records: sum((run) => run.position.read),
      pages: sum((run) => run.pages) + this.pagesGivenUp,
      restarts: sum((run) => run.restarts),
      skipped: sum((run) => run.position.skipped),
      totalHits: this.totalHits,
    };
    return this.scrolls > 1
      ? { ...stats, scrolls: Math.max(1, this.runs.length), counts: this.counts }
      : stats;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<JsonObject> {
    if (this.started) throw sourcePxError('PX_INVALID_OPTION', 'a PX reader is read once');
    this.started = true;
    const { firstPage, signal } = this.options;
    const whole = this.scroll(this.filters, true);
    this.runs = [whole];
    const first = firstPage ? whole.from(firstPage) : whole.step(undefined);
    if (this.scrolls === 1) {
      yield* this.handOn([[whole, first]]);
      return;
    }
    const step = await first;
    if (step === undefined) return;
    const ranges = step.next === undefined ? undefined : await this.cut();
    if (signal?.aborted) return;
    if (ranges === undefined) {
      yield* this.handOn([[whole, Promise.resolve(step)]]);
      return;
    }
    this.pagesGivenUp += whole.pages;
    this.runs = ranges.map(([run]) => run);
    const handed = ranges.reduce((sum, [, range]) => sum + (range?.records.length ?? 0), 0);
    this.options.onPage?.({ records: handed, totalHits: this.totalHits!, stats: this.stats() });
    yield* this.handOn(ranges.map(([run, range]) => [run, Promise.resolve(range)] as const));
  }

  /** A scroll over `filters`; its pages are told (`onPage`) once its records are to be handed on. */
  private scroll(filters: readonly string[], whole: boolean): ScrollRun {
    const run: ScrollRun = new ScrollRun({
      client: this.options.client,
      type: this.options.type,
      filters,
      pageSize: this.pageSize,
      maxRestarts: this.maxRestarts,
      signal: this.options.signal,
      onPage: (records) => {
        if (whole) this.totalHits = run.totalHits;
        if (this.runs.includes(run))
          this.options.onPage?.({ records, totalHits: this.totalHits ?? 0, stats: this.stats() });
      },
      onRestart: (cause) => this.options.onRestart?.({ cause, stats: this.stats() }),
    });
    return run;
  }

  /**
   * The records of the scrolls, as their pages come: a scroll's next page is asked for when its
   * page is taken to be handed on, so each holds at most the page on its way besides the one
   * handed on, and a consumer that stops pulling stops the requests.
   */
  private async *handOn(
    scrolls: ReadonlyArray<readonly [ScrollRun, Promise<Step | undefined>]>,
  ): AsyncGenerator<JsonObject> {
    const { signal } = this.options;
    const lanes = new Set<Lane>();
    const start = (run: ScrollRun, pending: Promise<Step | undefined>) => {
      const lane: Lane = { run, next: undefined as never };
      lane.next = pending.then((step) => ({ lane, step }));
      // A consumer that stops early, or another scroll's failure, leaves it unread: its failure
      // must not go unhandled.
      lane.next.catch(() => {});
      lanes.add(lane);
    };
    for (const [run, first] of scrolls) start(run, first);
    while (lanes.size > 0) {
      const { lane, step } = await Promise.race([...lanes].map((one) => one.next));
      lanes.delete(lane);
      if (step === undefined) continue;
      // The next page is on its way while this one is handed on: the round trip overlaps the
      // consumer's work instead of adding to it.
      if (step.next !== undefined) start(lane.run, lane.run.step(step.next));
      let handedOn = 0;
      for (const record of step.records) {
        yield record;
        if (lanes.size > 0 && ++handedOn % RECORDS_PER_TURN === 0) await turnOfTheEventLoop();
      }
      if (signal?.aborted) return;
    }
  }

  /**
   * The ranges' scrolls, each with its first page read, when the read is large enough and cut
   * safely: their counts add up to the whole read's. Otherwise undefined (one scroll reads it
   * all), told to `onPartition`; fatal answers are thrown on.
   */
  private async cut(): Promise<[ScrollRun, Step | undefined][] | undefined> {
    const total = this.totalHits ?? 0;
    const single = (why: PxPartitionEvent['single'], ranges: number[] = [], filters: string[][] = []) => {
      this.options.onPartition?.({ scrolls: 1, single: why, totalHits: total, ranges, filters });
      return undefined;
    };
    if (total < (this.options.partitionMinRecords ?? DEFAULT_PARTITION_MIN_RECORDS)) return single('small');
    const { client, type, signal } = this.options;
    const count: CountOf = (filters, sort) => {
      this.counts++;
      return client.listPage(type, {
        pageSize: 1,
        ...(filters.length > 0 ? { filters: [...filters] } : {}),
        ...(sort ? { sort } : {}),
      });
    };
    const stopped = () => signal?.aborted === true;
    let cut: [ScrollRun, Step | undefined][];
    let plan: Awaited<ReturnType<typeof planRanges>>;
    try {
      plan = await planRanges(count, this.filters, total, this.scrolls, stopped);
      if (plan === undefined) return stopped() ? undefined : single('uncut');
      const runs = plan.ranges.map((filters) => this.scroll(filters, false));
      const firsts = runs.map((run) => run.step(undefined));
      for (const first of firsts) first.catch(() => {});
      cut = runs.map((run) => [run, undefined]);
      for (const [i, first] of firsts.entries()) cut[i]![1] = await first;
    } catch (error) {
      if (!isPxStreamError(error) || error.fatal || error.code === 'PX_ABORTED' || stopped()) throw error;
      return single('refused');
    }
    if (stopped()) return undefined;
    const ranges = cut.map(([run]) => run.totalHits ?? 0);
    const filters = plan.ranges;
    if (ranges.reduce((sum, n) => sum + n, 0) !== total) {
      this.pagesGivenUp += cut.reduce((sum, [run]) => sum + run.pages, 0);
      return single('unequal', ranges, filters);
    }
    this.options.onPartition?.({ scrolls: cut.length, totalHits: total, ranges, filters });
    return cut;
  }
}
