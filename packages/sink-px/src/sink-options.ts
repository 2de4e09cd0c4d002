/** The sink's options (`createPxSink`), and the checks that apply to the sink alone. */
import { isRecordType, type RecordType } from '@pxstream/config';
import { invalidOption } from './errors.js';
import type { SendGuard } from './guard.js';
import type { PxClientOptions } from './options.js';

export interface PxSinkOptions extends PxClientOptions {
  /** What the rows are: USER and ACCOUNT update (and insert), CUSTOM_EVENT inserts, USER_PREFERENCES update. */
  type: RecordType;
  /** USER/ACCOUNT only: create the records the update does not find. Default false. */
  insertMissing?: boolean | undefined;
  /**
   * Rows accepted and unfinished at most before `write()` stops calling back. Default
   * `maxPendingPerRequest` times the requests in flight allowed at the moment (which follow the
   * round trip unless `concurrency` pins them).
   */
  maxPending?: number;
  /**
   * Without `maxPending`: rows accepted and unfinished per request in flight allowed. Default 2:
   * enough to keep every connection busy while the next rows wait their turn.
   */
  maxPendingPerRequest?: number;
  /**
   * Rows waiting for an earlier row of their id at most, on top of `maxPending`. Default four
   * times `maxPending`.
   */
  maxWaiting?: number;
  /** Writable buffer in rows, before `write()` returns false. Default 16. */
  highWaterMark?: number;
  /** Consulted before each row is sent and told how it ended (see `SendGuard`). */
  guard?: SendGuard | undefined;
  /**
   * USER/ACCOUNT: delete each row's record (`row.key`) instead of writing it (px-api.md
   * "Deleting"); `hard` for users' `hardDelete=true`. A row deleted ends `updated` with the
   * reason `deleted`, one PX did not have (404) `skipped` with the reason `already gone`.
   */
  delete?: { hard?: boolean | undefined } | undefined;
  /**
   * After a fatal answer, how long the requests on the wire may take to answer before they are
   * cut (their rows then in doubt). Default 5,000 ms.
   */
  fatalGraceMs?: number;
}

/** How long, by default, the requests on the wire may take to answer after a fatal answer. */
export const FATAL_GRACE_MS = 5000;

/** `maxPendingPerRequest`'s default. */
export const PENDING_PER_REQUEST = 2;

/** Refuses options that make no sink: a type PX lacks, bounds that are not positive, a write option on a delete. */
export function checkSinkOptions(options: PxSinkOptions): void {
  if (!isRecordType(options.type)) {
    throw invalidOption(
      `type must be USER, ACCOUNT, CUSTOM_EVENT or USER_PREFERENCES, got ${String(options.type)}`,
    );
  }
  if (options.insertMissing && (options.type === 'CUSTOM_EVENT' || options.type === 'USER_PREFERENCES')) {
    throw invalidOption(`insertMissing does not apply to ${options.type}`);
  }
  if (options.delete !== undefined) checkDeleteMode(options);
  if (
    options.maxPending !== undefined &&
    !(Number.isInteger(options.maxPending) && options.maxPending >= 1)
  ) {
    throw invalidOption(`maxPending must be a positive integer, got ${String(options.maxPending)}`);
  }
  const perRequest = options.maxPendingPerRequest ?? PENDING_PER_REQUEST;
  if (!(perRequest > 0 && Number.isFinite(perRequest))) {
    throw invalidOption(
      `maxPendingPerRequest must be a positive number, got ${String(options.maxPendingPerRequest)}`,
    );
  }
  if (
    options.maxWaiting !== undefined &&
    !(Number.isInteger(options.maxWaiting) && options.maxWaiting >= 1)
  ) {
    throw invalidOption(`maxWaiting must be a positive integer, got ${String(options.maxWaiting)}`);
  }
}

/** Delete mode deletes users or accounts, and writes nothing. */
function checkDeleteMode(options: PxSinkOptions): void {
  if (options.type !== 'USER' && options.type !== 'ACCOUNT') {
    throw invalidOption(
      `delete applies to USER and ACCOUNT, not ${options.type}: PX deletes only users and accounts`,
    );
  }
  if (options.insertMissing) throw invalidOption('insertMissing does not apply to a delete');
  if (options.delete?.hard === true && options.type === 'ACCOUNT') {
    throw invalidOption('hard applies to users: PX has no hard delete of accounts');
  }
}
