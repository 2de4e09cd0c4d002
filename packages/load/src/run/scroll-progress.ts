import type { PxClient } from '@pxstream/sink-px';
import type { PxRecordReader } from '@pxstream/source-px';

/** The counters of a read over PX's list scroll (an export, a ledger rebuild), after each page. */
export interface ScrollProgress {
  /** Records read from PX so far. */
  records: number;
  /** PX's count of the records the filters match; undefined before the first page. */
  totalHits: number | undefined;
  /** Pages PX answered (1,000 records each, the last one short). */
  pages: number;
  /** Requests sent, retries and the metadata read included. */
  requests: number;
  retries: number;
  http429: number;
  /** Scrolls started again after one expired or kept failing. */
  restarts: number;
  elapsedMs: number;
}

/**
 * The counters now, from the reader and its client; `otherRequests` counts what another client
 * sent (a metadata read of its own). `started` is the read's `performance.now()`.
 */
export function scrollProgress(
  reader: PxRecordReader | undefined,
  client: PxClient | undefined,
  started: number,
  otherRequests = 0,
): ScrollProgress {
  const read = reader?.stats();
  const sent = client?.stats();
  return {
    records: read?.records ?? 0,
    totalHits: read?.totalHits,
    pages: read?.pages ?? 0,
    requests: (sent?.sent ?? 0) + otherRequests,
    retries: sent?.retries ?? 0,
    http429: sent?.http429 ?? 0,
    restarts: read?.restarts ?? 0,
    elapsedMs: performance.now() - started,
  };
}
