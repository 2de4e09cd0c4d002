import type { Rejection, RowEnvelope } from '@pxstream/core';
import type { LoadOptions, LoadProgress } from '../../options.js';
import type { LoadReport } from '../../report.js';

/**
 * What `deleteRecords()` takes: `load()`'s options where they mean the same (config, input,
 * format, rate, rejects, report, checkpoint and resume, waiting for PX, daily budget, signals,
 * progress), and the delete's own.
 */
export interface DeleteOptions
  extends Pick<
    LoadOptions,
    | 'config'
    | 'input'
    | 'format'
    | 'rate'
    | 'concurrency'
    | 'timeoutMs'
    | 'baseUrl'
    | 'rejects'
    | 'report'
    | 'checkpoint'
    | 'resume'
    | 'ledger'
    | 'wait'
    | 'dailyBudget'
    | 'signal'
    | 'forceSignal'
    | 'progressIntervalMs'
    | 'onRejection'
    | 'onLog'
    | 'env'
    | 'cwd'
    | 'inputName'
    | 'clock'
  > {
  /**
   * `USER` or `ACCOUNT`. Custom events and user preferences cannot be deleted through PX's API
   * (`LOAD_INVALID_OPTION`).
   */
  type: string;
  /**
   * Users: `hardDelete=true`, so a user created again within PX's 7 days does not come back
   * with its history. Default: PX's soft delete.
   */
  hard?: boolean;
  /**
   * Accounts: required, since PX deletes every user of an account with it. Without it an
   * account delete is refused before anything is sent.
   */
  cascade?: boolean;
  /**
   * The most distinct ids the input may name (default 1,000, Gainsight's own limit for
   * self-service clean-ups): more, and nothing is deleted (`DELETE_CAP_EXCEEDED`). Counted
   * before the first request, over the whole input.
   */
  maxDeletes?: number;
  /** Count what would be deleted; send nothing. */
  plan?: boolean;
  /** Counters while the deletes run, at most every `progressIntervalMs` (default 250). */
  onProgress?: (progress: DeleteProgress) => void;
  /** Every row as it ends: deleted, already gone, or a rejection. */
  onRow?: (event: DeleteRowEvent) => void;
}

/** How one row of a delete ended. */
export type DeleteRowEvent =
  | { outcome: { row: RowEnvelope; outcome: 'deleted' | 'already-gone' } }
  | { rejection: Rejection };

/** A load's progress, in a delete's words: `deleted` and `alreadyGone` for `updated` and `skipped`. */
export interface DeleteProgress extends Omit<LoadProgress, 'updated' | 'inserted' | 'skipped' | 'dryRun'> {
  deleted: number;
  /** Records PX did not have (404): counted, not errors. */
  alreadyGone: number;
}

/**
 * What `deleteRecords()` resolves to, and what a `report` file holds: a load's report where the
 * fields mean the same (times, requests and waits, rejections, how the run ended), and the
 * delete's own counts.
 */
export interface DeleteReport
  extends Pick<
    LoadReport,
    | 'input'
    | 'startedAt'
    | 'finishedAt'
    | 'durationMs'
    | 'rejectedByStage'
    | 'rejectedByCode'
    | 'requests'
    | 'retries'
    | 'http429'
    | 'waits'
    | 'waitedMs'
    | 'requestsToday'
    | 'dailyBudget'
    | 'rejectsFile'
    | 'error'
    | 'interrupted'
    | 'aborted'
    | 'complete'
    | 'checkpoint'
    | 'resumedAtRow'
    | 'target'
    | 'warnings'
    | 'peakRssBytes'
  > {
  deleted: number;
  alreadyGone: number;
  /** Rows rejected: no id, or PX refused the delete. */
  rejected: number;
  type: 'USER' | 'ACCOUNT';
  hard: boolean;
  cascade: boolean;
  maxDeletes: number;
  /** Distinct ids the input names (counted before anything is sent). */
  ids: number;
  /** Ids on more than one row (each is deleted once; its later rows find it gone). */
  repeatedIds: number;
  /** Rows without a readable id. */
  rowsWithoutId: number;
  /** `plan`: nothing was sent. */
  plan: boolean;
  /** Rows this run finished a second (a resumed run's earlier rows do not count). */
  rowsPerSecond: number;
  rows: { read: number; deleted: number; alreadyGone: number; rejected: number; notSent: number };
  /** The target's ledger, when there is one: where, and the ids it dropped. */
  ledger: { path: string; forgotten: number } | null;
}
