import type { Readable, Writable } from 'node:stream';
import type { PxConfig, RecordType } from '@pxstream/config';
import type { Rejection, RowOutcome } from '@pxstream/core';

/** Input formats: CSV, JSON-lines, and one JSON array of records. Each may be gzip-compressed. */
export type InputFormat = 'csv' | 'jsonl' | 'json';

/** A plain object of an `Iterable`/`AsyncIterable` input: its keys are what the mapping's values name. */
export type InputObject = Record<string, unknown>;

/** What `load()` reads: a file path, a byte stream, or plain objects (a database cursor, say). */
export type LoadInput = string | Readable | Iterable<InputObject> | AsyncIterable<InputObject>;

export interface LoadOptions {
  /** A Gainsight loader config: the path of its JSON file, or the object itself. */
  config: string | Record<string, unknown>;
  type: RecordType;
  input: LoadInput;
  /**
   * Default: from the file's extension (`.csv`, `.jsonl`/`.ndjson`, `.json`, before a `.gz`),
   * else from the first bytes (`[`: a JSON array, `{`: JSON-lines, else CSV). Not used for objects.
   */
  format?: InputFormat;
  /** USER and ACCOUNT: create the records PX does not have (PUT, then POST on 404). */
  insertMissing?: boolean;
  /** Map and validate every row, send nothing; each body goes to `output` as a JSON line, if given. */
  dryRun?: boolean;
  /** Dry run: where the bodies are written, one JSON object per line (the CLI: stdout). */
  output?: Writable;
  /**
   * A CSV dry run with an `output` reads, maps and encodes its rows on this many threads
   * besides the main one (same output, counts and rejects file). Default: one less than the
   * cores, at most 3, for inputs of 8 MiB or more, else 0 (the main thread only). Not with
   * `onRow`, a row range or a resume, which run on the main thread. At most 16.
   */
  dryRunThreads?: number;
  /** Check the whole input (and the mapped attributes) first; the first bad row stops the load. */
  strict?: boolean;
  /** First and last data row (0-based, inclusive), Gainsight's `-n` and `-l`. */
  startRow?: number;
  lastRow?: number;
  /** Requests per second (default: the config's `rate`, else 150). */
  rate?: number;
  /** Requests in flight at most (default: the config's, else sized from the rate). */
  concurrency?: number;
  /** Per-request timeout in ms (default 30,000). */
  timeoutMs?: number;
  /** PX API base URL, overriding the config's data center and `baseUrl`. */
  baseUrl?: string;
  /** Load into a PX emulator started for this load (for trials: no key, no network). */
  emulator?: boolean;
  /**
   * A rejects file: its path, or `true` for `<input name>_rejects.csv|.jsonl` in `cwd`
   * (`pxstream_rejects.*` for a stream or objects), created only when a row is rejected. Default
   * (or `false`): no file; rejections reach `onRejection` and `onRow`, and the report counts them.
   */
  rejects?: string | boolean;
  /** Write the report as JSON to this file too. */
  report?: string;
  /**
   * A checkpoint file, kept during the load so that `resume` can carry on after a stop: its
   * path, or `true` for `<report>.checkpoint.json` beside `report`, else
   * `<input name>_checkpoint.json` in `cwd` (objects: none; name one). Default (or `false`): none.
   */
  checkpoint?: string | boolean;
  /** Continue from the checkpoint of an earlier load of the same input and settings. */
  resume?: boolean;
  /**
   * Incremental sync: skip a row whose body is the one PX last confirmed for its id (the
   * ledger's). USER, ACCOUNT and USER_PREFERENCES.
   */
  changedOnly?: boolean;
  /** Send every row, and refresh the ledger with what PX confirms. */
  fullResync?: boolean;
  /**
   * Read, map and validate the input and compare it with the ledger; send nothing. The report's
   * `plan` holds the counts: new, changed, unchanged, ids on more than one row, invalid rows.
   */
  plan?: boolean;
  /**
   * With `plan`: write the plan row by row to this file, one JSON object a line (`line`, `id`,
   * `plan`: new in the ledger, changed, unchanged, invalid; `action`: send, skip, reject). A
   * changed user or account also has `fields`: the PX fields (dot paths, sorted) whose value PX
   * holds otherwise, compared as `verify` compares them, `[]` when PX holds the row's values;
   * `fields: null, px: "missing"` when PX lacks the record; `fields: null` when PX was not read
   * (custom events, preferences, no API key, stopped). PX's records of the changed ids are read
   * for it (never written) the cheaper way: a `GET` each, or PX's list once (README, "Ledger
   * rebuild").
   */
  planFile?: string;
  /**
   * The ledger's directory (default: one per target under `$PXSTREAM_LEDGER_DIR`, else
   * `$XDG_STATE_HOME/pxstream/ledgers`, else `~/.local/state/pxstream/ledgers`), or `false` for
   * none. Custom events use it by default (an event PX confirmed is never sent again); records
   * use it with `changedOnly`, `fullResync` and `plan`, and keep it current once it exists.
   */
  ledger?: string | false;
  /**
   * CUSTOM_EVENT: the source column whose value identifies an event (an event id, a message
   * id): one event per key, across files and runs (default: the config's `eventKey`). Without
   * one, a dated event is its content and its occurrence among identical rows of the input,
   * and an undated one its input and position (see the README, "Event identity"). The column
   * is not sent to PX unless it is mapped.
   */
  eventKey?: string;
  /**
   * CUSTOM_EVENT: days the events ledger remembers an event it recorded (default: the
   * config's `eventRetentionDays`, else 30). An input loaded again after the window sends its
   * events again.
   */
  eventRetentionDays?: number;
  /**
   * The time the load takes as now, in ms since the epoch (default `Date.now`): it stamps the
   * events the ledger records and decides which have expired. For tests and backfills.
   */
  clock?: () => number;
  /**
   * Default true: when PX refuses or fails every request for a sustained spell (a spent daily
   * quota, an outage), wait for it (one probe at a time) and carry on; at the `dailyBudget`,
   * wait for the next UTC day. `false`: either stops the load (`PX_UNAVAILABLE`,
   * `PX_DAILY_BUDGET`), with a checkpoint to `resume` from later.
   */
  wait?: boolean;
  /**
   * Requests a UTC day to this PX at most, counted across runs (beside the ledgers, per base URL
   * and product keys): at the cap the load waits for 00:00 UTC, or stops (`wait: false`). Leaves
   * the rest of PX's quota (about 1,000,000 a day per subscription) to the customer's other
   * integrations. With `plan`, the days a load would take are counted at it.
   */
  dailyBudget?: number;
  /**
   * Mirror, with `changedOnly`, for full exports only: once the file is loaded, the ids the
   * target's ledger holds that the file lacks are deleted from PX (users soft-deleted). Refused,
   * deleting nothing (`DELETE_CAP_EXCEEDED`), when they are more than 5% of the ledger's ids or
   * more than `maxDeletes`. With `plan`, the deletions are said, not made.
   */
  deleteMissing?: boolean;
  /** `deleteMissing`: the most ids it may delete (default 1,000). */
  maxDeletes?: number;
  /** Stops the load as Ctrl-C does: no more rows are read, rows in flight finish. */
  signal?: AbortSignal;
  /** Stops it harder, as a second Ctrl-C: requests in flight are aborted too. */
  forceSignal?: AbortSignal;
  /** Counters while the load runs, at most every `progressIntervalMs` (default 250). */
  onProgress?: (progress: LoadProgress) => void;
  progressIntervalMs?: number;
  /** Every row as it ends: an outcome, or a rejection (also in the rejects file). */
  onRow?: (event: RowEvent) => void;
  /**
   * Each rejected row, as it is rejected (the rejects file has them all); its texts redacted.
   * Unlike `onRow` it leaves a dry run free to use threads (`dryRunThreads`).
   */
  onRejection?: (rejection: Rejection) => void;
  /** What the load has to say (warnings, notes), key-free. Warnings are also in the report. */
  onLog?: (entry: LogEntry) => void;
  /** Environment for `PX_API_KEY`, `PX_BASE_URL`, `PX_PRODUCT_KEY`. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved in. Default `process.cwd()`. */
  cwd?: string;
  /** Name of a stream input in messages and default file names. Default `stdin`. */
  inputName?: string;
}

export type RowEvent = { outcome: RowOutcome } | { rejection: Rejection };

export interface LogEntry {
  level: 'info' | 'warn';
  message: string;
  /** Set on the notes a program may act on; most notes have none. */
  code?: LogCode;
}

/**
 * Codes of the load's notes (not errors): a wait for PX or for the daily budget starting and
 * ending, and a `resume` that found no checkpoint and starts at the first row.
 */
export type LogCode =
  | 'PX_WAIT_START'
  | 'PX_WAIT_END'
  | 'BUDGET_WAIT_START'
  | 'BUDGET_WAIT_END'
  | 'RESUME_NO_CHECKPOINT'
  /** `plan` with no ledger for the target: it cannot tell what PX holds (every row is new in the ledger). */
  | 'PLAN_NO_LEDGER';

/** A wait under way: since when (epoch ms) and for what. */
export interface LoadWait {
  /** `px`: PX refused or failed every request (quota, outage); `budget`: the `dailyBudget` is used. */
  for: 'px' | 'budget';
  since: number;
  /** PX's last answer (`HTTP 429 Rate limit exceeded`, `connection reset`), for a wait for PX. */
  answer?: string;
}

export interface LoadProgress {
  read: number;
  updated: number;
  inserted: number;
  skipped: number;
  rejected: number;
  dryRun: number;
  /** Rows that reached an end, earlier runs' included after a resume. */
  finished: number;
  /** Rows finished by earlier runs (resume): not part of this run's speed. */
  finishedBefore: number;
  /** Bytes of the input finished (the rows below the watermark), when the input is a file. */
  bytesDone: number | undefined;
  /** Where this run started in the file (a resume starts mid-file). */
  startBytes: number;
  /** The file's size, when known. */
  size: number | undefined;
  requests: number;
  retries: number;
  http429: number;
  /** Requests per second the adaptive limiter allows now. */
  currentRate: number | undefined;
  elapsedMs: number;
  /** Requests sent to this PX today (UTC), earlier and concurrent runs' included; undefined when not counted (dry run). */
  requestsToday: number | undefined;
  /** The `dailyBudget`, if any. */
  dailyBudget: number | undefined;
  /** Waits for PX and for the daily budget so far, and the time spent in them (the current one included). */
  waits: number;
  waitedMs: number;
  /** The wait under way, if any. */
  waiting: LoadWait | undefined;
}

/** A config after `loadConfig`, as `load()` works with it. */
export type LoadedConfig = PxConfig;
