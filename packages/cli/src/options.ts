import { RECORD_TYPES, type RecordType } from '@pxstream/config';
import type { InputFormat } from '@pxstream/load';
import { usageError } from './exit-codes.js';
import { LOG_FORMATS, type LogFormat } from './logger.js';

/** The command's options once both invocation forms are folded into one. */
export interface CliLoadOptions {
  type: RecordType;
  configPath: string;
  /** A file path, or undefined for stdin. */
  input: string | undefined;
  /** stdin was asked for by name (`-`): read it even from a terminal. */
  stdinDash: boolean;
  /** `-f`; undefined: from the file's extension (stdin: CSV). */
  format: InputFormat | undefined;
  insertMissing: boolean;
  dryRun: boolean;
  verbose: boolean;
  quiet: boolean;
  strict: boolean;
  startRow: number | undefined;
  lastRow: number | undefined;
  errorsPath: string | undefined;
  reportPath: string | undefined;
  rate: number | undefined;
  concurrency: number | undefined;
  baseUrl: string | undefined;
  emulator: boolean;
  timeoutMs: number | undefined;
  /** Continue from the checkpoint of an earlier run of the same command. */
  resume: boolean;
  /** The checkpoint file (default: beside the report, else `<input name>_checkpoint.json`). */
  checkpointPath: string | undefined;
  changedOnly: boolean;
  fullResync: boolean;
  plan: boolean;
  /** `--plan-file <file>`: the plan row by row (JSON-lines). */
  planFile?: string | undefined;
  /** `--ledger <dir>`, or false for `--no-ledger`; undefined: the default. */
  ledger: string | false | undefined;
  /** `--event-key <column>` (custom events). */
  eventKey: string | undefined;
  /** `--event-retention-days <n>` (custom events). */
  eventRetentionDays: number | undefined;
  /** False with `--no-wait`: a PX that refuses everything, or the daily budget, stops the run. */
  wait: boolean;
  /** `--daily-budget <n>`: requests a UTC day to this PX at most, across runs. */
  dailyBudget: number | undefined;
  /** `--delete-missing`: the mirror of a full export (with `--changed-only`). */
  deleteMissing?: boolean | undefined;
  /** `--max-deletes <n>`: the mirror's cap. */
  maxDeletes?: number | undefined;
  /** `--progress-interval <s>`: seconds between progress lines when stderr is not a terminal. */
  progressIntervalS: number;
  /** `--log-format text|json`. */
  logFormat: LogFormat;
}

/** Seconds between progress lines when stderr is not a terminal (a log file, journald, cron mail). */
export const DEFAULT_PROGRESS_INTERVAL_S = 60;

export function parseLogFormat(value: string): LogFormat {
  const lower = value.toLowerCase() as LogFormat;
  if (!LOG_FORMATS.includes(lower)) throw usageError(`unknown log format "${value}": expected text or json`);
  return lower;
}

export function parseRecordType(value: string): RecordType {
  const upper = value.toUpperCase() as RecordType;
  if (!RECORD_TYPES.includes(upper)) {
    throw usageError(`unknown record type "${value}": expected one of ${RECORD_TYPES.join(', ')}`);
  }
  return upper;
}

export function parseFormat(value: string): InputFormat {
  const lower = value.toLowerCase();
  if (lower === 'csv') return 'csv';
  if (lower === 'jsonl' || lower === 'ndjson') return 'jsonl';
  if (lower === 'json') return 'json';
  throw usageError(`unknown format "${value}": expected csv, jsonl or json`);
}

export function parseNonNegativeInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw usageError(`${flag} takes a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got "${value}"`);
    }
    return Number(value);
  };
}

export function parsePositiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0))
      throw usageError(`${flag} takes a number > 0, got "${value}"`);
    return n;
  };
}

export function parsePositiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw usageError(`${flag} takes a whole number >= 1, got "${value}"`);
    }
    return n;
  };
}
