import { isPxStreamError, PxStreamError } from '@pxstream/core';

export type LedgerErrorCode =
  /** A target without a valid base URL, product key or record type. */
  | 'LEDGER_INVALID_TARGET'
  /** The ledger at that place was made for another PX target (base URL, product key or type). */
  | 'LEDGER_TARGET_MISMATCH'
  /** The directory holds files, but not a pxstream ledger (or one of a newer format). */
  | 'LEDGER_NOT_A_LEDGER'
  /** A ledger file failed its checksum or its structure: the store will not guess. */
  | 'LEDGER_CORRUPT'
  /** Another live process holds the ledger open for writing. */
  | 'LEDGER_LOCKED'
  /** A write was asked of a ledger opened read-only. */
  | 'LEDGER_READ_ONLY'
  /** A record call on an events ledger, or an event call on a records ledger. */
  | 'LEDGER_WRONG_KIND'
  /** A hash that is not what hashBody returns (too short, not hex). */
  | 'LEDGER_INVALID_HASH'
  /** An option of openLedger out of its range (`retentionDays` not a whole number >= 1, a bad `now`). */
  | 'LEDGER_INVALID_OPTION'
  /** The ledger could not be read from or written to disk; after a failed write it stays closed. */
  | 'LEDGER_IO_FAILED'
  /** A call after close(). */
  | 'LEDGER_CLOSED';

export type LedgerError = PxStreamError<LedgerErrorCode>;

/**
 * The rejection of the events ledger's identity step (stage `map`): a custom event whose key
 * column (`eventKey`) is blank has no identity. The row is rejected, the run goes on.
 */
export type EventIdentityRejectionCode = 'MAP_EVENT_KEY_EMPTY';

export function ledgerError(code: LedgerErrorCode, message: string, cause?: unknown): LedgerError {
  return new PxStreamError<LedgerErrorCode>(code, message, { fatal: true, cause });
}

/** A coded error as it is, anything else (EACCES, ENOSPC, ...) as LEDGER_IO_FAILED. */
export function asLedgerError(error: unknown, doing: string): PxStreamError {
  if (isPxStreamError(error)) return error;
  return ledgerError('LEDGER_IO_FAILED', `ledger: cannot ${doing}: ${(error as Error).message}`, error);
}
