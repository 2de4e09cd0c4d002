import type { Writable } from 'node:stream';
import type { InputFormat, LoadInput } from '../../options.js';
import type { ReadEnding } from '../../run/read-figures.js';
import type { ReadOptions } from '../../run/read-setup.js';

/** How `verify` reads PX: the whole list over its scroll, or one `GET` per id of the input. */
export type VerifyReadBy = 'scroll' | 'get';

export interface VerifyOptions extends Omit<ReadOptions, 'filter'> {
  /** The rows to check: a file path (CSV, JSON-lines, JSON array; gzip too), a byte `Readable`, or objects. */
  input: LoadInput;
  /** The input's format; default from the file's extension, else its first bytes. */
  format?: InputFormat;
  /** A name for a stream input in messages (default `stdin`). */
  inputName?: string;
  /**
   * Where to write the differences, one JSON object a line: a file path or a `Writable` (left
   * open). Each differing field of a row, and each id PX lacks. Default: none (counts only).
   */
  diff?: string | Writable;
  /**
   * `scroll`: every record of PX, 1,000 a request; `get`: one request per id of the input.
   * Default: whichever costs fewer requests, from PX's count (one request) and the input's ids.
   */
  readBy?: VerifyReadBy;
  /** Counters as the input and PX are read. */
  onProgress?: (progress: VerifyProgress) => void;
}

export interface VerifyProgress {
  /** `input`: reading the rows; `px`: reading PX; `diff`: naming the differences (the input again). */
  phase: 'input' | 'px' | 'diff';
  /** Rows read from the input so far. */
  rows: number;
  /** PX records read (scroll) or asked for (get) so far. */
  records: number;
  /** PX's count of its records; undefined before it is known. */
  totalHits: number | undefined;
  requests: number;
  elapsedMs: number;
}

/** One line of the differences file. */
export interface VerifyDifference {
  /** `differs`: a field PX holds otherwise; `missing`: PX has no record of the id. */
  kind: 'differs' | 'missing';
  id: string;
  /** The 1-based line of the input row (the last row of the id). */
  line: number;
  /** The PX field (dotted); null for a missing id. */
  field: string | null;
  /** The file's value, as a load sends it (dates in epoch ms); for a missing id, the whole body. */
  file: unknown;
  /** PX's value (null when PX has none); null for a missing id. */
  px: unknown;
}

/** What `verify()` resolves to. */
export interface VerifyReport extends ReadEnding {
  type: 'USER' | 'ACCOUNT';
  input: string;
  /** Rows read from the input. */
  rows: number;
  /** Ids whose every compared field PX holds as the file says. */
  match: number;
  /** Ids PX holds with at least one field otherwise. */
  differ: number;
  /** Ids PX has no record of. */
  missing: number;
  /** Rows rejected before comparing (parse, map, validate), as a load would reject them. */
  rejected: number;
  /** Rows of an id that a later row of the same id follows: the last row of an id is compared. */
  repeatedRows: number;
  /** Differing ids per field: which fields differ, and how often. */
  differingFields: Record<string, number>;
  /** PX records no row of the input names (known when PX was read over its scroll; else null). */
  notInInput: number | null;
  readBy: VerifyReadBy | null;
  /** PX's count of its records (the count request's). */
  totalHits: number | null;
  /** Requests sent: the metadata, the count, then pages (scroll) or one per id (get); retries included. */
  requests: number;
  pages: number;
  gets: number;
  retries: number;
  http429: number;
  /** The differences file (absolute path), `stream`, or null; and the lines written to it. */
  diffFile: string | null;
  diffLines: number;
  /** Every row was compared. */
  complete: boolean;
}
