import type { CheckpointErrorCode } from '@pxstream/checkpoint';
import type { ConfigErrorCode } from '@pxstream/config';
import { type CoreErrorCode, PxStreamError, type PxStreamErrorOptions } from '@pxstream/core';
import type { LedgerErrorCode } from '@pxstream/ledger';
import type { MapperErrorCode } from '@pxstream/mapper';
import type { RejectsErrorCode } from '@pxstream/sink-errors';
import type { PxSinkErrorCode } from '@pxstream/sink-px';
import type { CsvErrorCode } from '@pxstream/source-csv';
import type { JsonArrayErrorCode } from '@pxstream/source-json';
import type { JsonlErrorCode } from '@pxstream/source-jsonl';
import type { LoadReport } from './report.js';

/**
 * Codes `load()` itself raises. Errors of the stages keep their own codes (`CONFIG_*`,
 * `MAP_UNKNOWN_COLUMN`, `CHECKPOINT_*`, `PX_AUTH_FAILED`, `PX_DAILY_QUOTA`...): `load()`
 * rejects with a `LoadError` that carries the code of the error that stopped it.
 */
export type LoadErrorCode =
  /** An option `load()` cannot run with (the CLI's usage errors). */
  | 'LOAD_INVALID_OPTION'
  /** An output file (rejects, report, checkpoint) would overwrite the input, the config or another output. */
  | 'LOAD_OUTPUT_CONFLICT'
  /** An output file cannot be written (checked before anything is sent). */
  | 'LOAD_OUTPUT_UNWRITABLE'
  /** The input cannot be opened or read. */
  | 'INPUT_UNREADABLE'
  /** The input is not UTF-8 text: UTF-16, another encoding, or binary. */
  | 'INPUT_NOT_UTF8'
  /** A dry run's output was closed by its reader (`| head`). */
  | 'OUTPUT_CLOSED'
  /** `--strict`: a row was rejected while checking the input; nothing was sent. */
  | 'STRICT_REJECTED'
  /** The PX base URL answers, but not as PX's API (no route, an HTML page). */
  | 'PX_WRONG_BASE_URL'
  /** The attribute metadata could not be read before the run. */
  | 'PX_METADATA_UNREADABLE'
  /** `resume`: the input or the settings changed since the checkpoint. */
  | 'RESUME_REFUSED'
  /** `dailyBudget` with `wait: false`: today's budget is used; `resume` after 00:00 UTC. */
  | 'PX_DAILY_BUDGET'
  /**
   * A deletion over its cap, refused before any `DELETE`: a file naming more ids than
   * `maxDeletes`, or a mirror (`deleteMissing`) over `maxDeletes` or 5% of the ledger's ids.
   */
  | 'DELETE_CAP_EXCEEDED'
  /** `deleteMissing`: rows of the file have no readable id, so what it lacks is not known. */
  | 'DELETE_MIRROR_UNSAFE';

/**
 * Every code a `LoadError` can carry: load's own, and those of the stages whose fatal errors
 * stop a load (each package's union). `INTERNAL` is a bug.
 */
export type LoadFailureCode =
  | LoadErrorCode
  | CoreErrorCode
  | ConfigErrorCode
  | CheckpointErrorCode
  | LedgerErrorCode
  | MapperErrorCode
  | CsvErrorCode
  | JsonArrayErrorCode
  | JsonlErrorCode
  | RejectsErrorCode
  | PxSinkErrorCode;

/**
 * What `load()` rejects with: a `PxStreamError` with a stable `code`. When the run had started
 * (rows were read), `report` holds its report as it ended, the same object a `report` file gets.
 */
export class LoadError<Report extends object = LoadReport> extends PxStreamError<LoadFailureCode> {
  override readonly name = 'LoadError';
  /** The run's report: a load's, or the operation's own (`deleteRecords()`: a `DeleteReport`). */
  report: Report | undefined;

  constructor(
    code: LoadFailureCode,
    message: string,
    options: PxStreamErrorOptions & { report?: Report } = {},
  ) {
    super(code, message, { fatal: true, ...options });
    this.report = options.report;
  }
}

export function loadError(code: LoadErrorCode, message: string, cause?: unknown): LoadError {
  return new LoadError(code, message, cause === undefined ? {} : { cause });
}

/** The error as a `LoadError` (its own code kept), with the report attached when there is one. */
export function asLoadError(error: unknown, report?: LoadReport): LoadError {
  if (error instanceof LoadError) {
    if (report && !error.report) error.report = report;
    return error;
  }
  if (error instanceof PxStreamError) {
    return new LoadError(error.code as LoadFailureCode, error.message, {
      cause: error,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.line === undefined ? {} : { line: error.line }),
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(report ? { report } : {}),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LoadError('INTERNAL', message, { cause: error, ...(report ? { report } : {}) });
}
