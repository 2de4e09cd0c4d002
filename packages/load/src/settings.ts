import { resolve } from 'node:path';
import { RECORD_TYPES, type RecordType } from '@pxstream/config';
import { loadError } from './errors.js';
import type { InputFormat, LoadOptions } from './options.js';

/** The options of one load, checked and with their defaults, as the run's parts read them. */
export interface RunSettings {
  type: RecordType;
  format: InputFormat;
  insertMissing: boolean;
  dryRun: boolean;
  strict: boolean;
  startRow: number | undefined;
  lastRow: number | undefined;
  timeoutMs: number | undefined;
  emulator: boolean;
  resume: boolean;
  /** Absolute paths; `false`: none wanted; `undefined`: the default. */
  rejects: string | false | undefined;
  report: string | undefined;
  checkpoint: string | false | undefined;
  cwd: string;
}

/** The format of a file from its extension; streams and unknown extensions are CSV. */
export function formatFromPath(path: string | undefined): InputFormat {
  if (path === undefined) return 'csv';
  return /\.(jsonl|ndjson|json)$/i.test(path) ? 'jsonl' : 'csv';
}

const whole = (name: string, value: number | undefined) => {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw loadError('LOAD_INVALID_OPTION', `${name} must be a whole number >= 0, got ${value}`);
  }
};

/** Checks the options that do not need the config or the input, and resolves paths. */
export function resolveSettings(options: LoadOptions): RunSettings {
  const cwd = options.cwd ?? process.cwd();
  const type = String(options.type ?? '').toUpperCase() as RecordType;
  if (!RECORD_TYPES.includes(type)) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `unknown record type "${String(options.type)}": expected one of ${RECORD_TYPES.join(', ')}`,
    );
  }
  const insertMissing = options.insertMissing === true;
  if (insertMissing && (type === 'CUSTOM_EVENT' || type === 'USER_PREFERENCES')) {
    throw loadError('LOAD_INVALID_OPTION', `insert-missing does not apply to ${type}`);
  }
  const dryRun = options.dryRun === true;
  if (options.resume && dryRun) throw loadError('LOAD_INVALID_OPTION', 'resume does not apply to a dry run');
  if (options.resume && options.emulator) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      'resume does not apply to the embedded emulator (it starts empty)',
    );
  }
  whole('startRow', options.startRow);
  whole('lastRow', options.lastRow);
  if (options.startRow !== undefined && options.lastRow !== undefined && options.lastRow < options.startRow) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `lastRow ${options.lastRow} is before startRow ${options.startRow}`,
    );
  }
  const format =
    options.format ?? formatFromPath(typeof options.input === 'string' ? options.input : undefined);
  if (format !== 'csv' && format !== 'jsonl') {
    throw loadError('LOAD_INVALID_OPTION', `unknown format "${String(format)}": expected csv or jsonl`);
  }
  const path = (value: string | false | undefined) =>
    typeof value === 'string' ? resolve(cwd, value) : value;
  return {
    type,
    format,
    insertMissing,
    dryRun,
    strict: options.strict === true,
    startRow: options.startRow,
    lastRow: options.lastRow,
    timeoutMs: options.timeoutMs,
    emulator: options.emulator === true,
    resume: options.resume === true,
    rejects: path(options.rejects),
    report: options.report === undefined ? undefined : resolve(cwd, options.report),
    checkpoint: path(options.checkpoint),
    cwd,
  };
}
