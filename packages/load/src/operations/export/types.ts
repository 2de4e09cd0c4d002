import type { Writable } from 'node:stream';
import type { ReadEnding } from '../../run/read-figures.js';
import type { ReadOptions } from '../../run/read-setup.js';
import type { ScrollProgress } from '../../run/scroll-progress.js';

/** How an export is written: CSV, JSON-lines, or one JSON array. */
export type ExportFormat = 'csv' | 'jsonl' | 'json';

/** One exported record: column (or, with `allFields`, dotted PX field) to a JSON value. */
export type ExportRecord = Record<string, unknown>;

export interface ExportOptions extends ReadOptions {
  /**
   * Every field of every record, flattened to dotted paths (`location.city`), values as PX
   * gives them (dates in epoch ms), in place of the config's mapping turned around.
   */
  allFields?: boolean;
  /** Counters after each page PX answers. */
  onProgress?: (progress: ExportProgress) => void;
  /**
   * Scrolls read at once, 1 to 16. Default 4 (`DEFAULT_EXPORT_SCROLLS`): an export of 25,000
   * records or more is cut into ranges of `createDate`, each read by its own scroll, all through
   * the same limiter; the records then come in no particular order (each exactly once). 1: one
   * scroll, the records sorted by id. Where PX's counts say the ranges would not hold every
   * record once, one scroll reads it all.
   */
  scrolls?: number;
}

/** Where and how `write()` puts the records. */
export interface ExportWriteOptions {
  /**
   * Default: from the file's extension (`.csv`, `.jsonl`/`.ndjson`, `.json`, before a `.gz`),
   * else CSV (JSON-lines with `allFields`, which CSV cannot hold).
   */
  format?: ExportFormat;
}

/** Where `write()` puts the records: a file path (gzip when it ends in `.gz`) or a stream. */
export type ExportOutput = string | Writable;

/** An export's counters after each page PX answers. */
export type ExportProgress = ScrollProgress;

/** What an export came to: `ExportRun.report()`, and what `write()` resolves to. */
export interface ExportReport extends ReadEnding {
  type: 'USER' | 'ACCOUNT';
  /** Records exported (handed on, or written). */
  records: number;
  /** PX's count of the records the filters matched (its last page's); null before the first page. */
  totalHits: number | null;
  filters: string[];
  /** `mapping`: the config's columns; `all`: every field (`allFields`). */
  fields: 'mapping' | 'all';
  /** The columns, with `mapping`; null with `all` (each record has its own fields). */
  columns: string[] | null;
  /** `write()`'s format; null when the records were only iterated. */
  format: ExportFormat | null;
  /** `write()`'s file (absolute path), or `stream`; null when only iterated or nothing was written. */
  output: string | null;
  pages: number;
  /** Scrolls started again, and the records they gave again that were dropped. */
  restarts: number;
  skipped: number;
  /**
   * Requests sent, retries and the metadata read included, and with `scrolls` the counts that
   * cut the ranges and the first page given up for them.
   */
  requests: number;
  retries: number;
  http429: number;
  recordsPerSecond: number;
  /** Every record was read: the scroll ended. */
  complete: boolean;
}
