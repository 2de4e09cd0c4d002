import { resolve } from 'node:path';
import { RECORD_TYPES, type RecordType } from '@pxstream/config';
import { MAX_RETENTION_DAYS } from '@pxstream/ledger';
import { loadError } from './errors.js';
import type { InputFormat, LoadOptions } from './options.js';

/** What the rows are read as: a format, or objects given as such. */
export type SourceFormat = InputFormat | 'objects';

/** The options of one load, checked and with their defaults, as the run's parts read them. */
export interface RunSettings {
  type: RecordType;
  format: SourceFormat;
  insertMissing: boolean;
  dryRun: boolean;
  strict: boolean;
  startRow: number | undefined;
  lastRow: number | undefined;
  timeoutMs: number | undefined;
  emulator: boolean;
  resume: boolean;
  /** Absolute paths; `true`: the default file; `undefined`: none. */
  rejects: string | true | undefined;
  report: string | undefined;
  checkpoint: string | true | undefined;
  changedOnly: boolean;
  fullResync: boolean;
  plan: boolean;
  /** The ledger directory asked for, `false` for none, `undefined` for the default. */
  ledger: string | false | undefined;
  /** CUSTOM_EVENT: the key column asked for (the config's applies when undefined). */
  eventKey: string | undefined;
  /** CUSTOM_EVENT: the ledger's retention asked for (the config's, else 30, when undefined). */
  eventRetentionDays: number | undefined;
  /** Wait for PX (and for the next day at the daily budget) rather than stop. */
  wait: boolean;
  /** Requests a UTC day to this PX at most, across runs; undefined: no cap. */
  dailyBudget: number | undefined;
  /** Now, in ms since the epoch. */
  clock: () => number;
  cwd: string;
}

const FORMATS: readonly InputFormat[] = ['csv', 'jsonl', 'json'];

/** The format a file's extension names (`.gz` looked through), or undefined when it names none. */
export function formatFromPath(path: string | undefined): InputFormat | undefined {
  if (path === undefined) return undefined;
  const name = path.replace(/\.gz$/i, '');
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  if (/\.json$/i.test(name)) return 'json';
  if (/\.(csv|tsv|txt)$/i.test(name)) return 'csv';
  return undefined;
}

/**
 * The format of an input the extension does not name (stdin, `export.dat`), from its first
 * bytes: `[` opens a JSON array, `{` a JSON object per line; anything else is read as CSV,
 * whose header check then says plainly when the mapping does not fit.
 */
export function sniffFormat(head: Buffer): InputFormat {
  let at = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (
    at < head.length &&
    (head[at] === 0x20 || head[at] === 0x09 || head[at] === 0x0a || head[at] === 0x0d)
  )
    at++;
  if (head[at] === 0x5b) return 'json';
  if (head[at] === 0x7b) return 'jsonl';
  return 'csv';
}

const whole = (name: string, value: number | undefined) => {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
    throw loadError('LOAD_INVALID_OPTION', `\`${name}\` must be a whole number >= 0, got ${value}`);
  }
};

/**
 * Checks the options that do not need the config or the input, and resolves paths. The format
 * is the one asked for or the one the extension names; `undefined` is decided from the input's
 * first bytes once it is open.
 */
export function resolveSettings(
  options: LoadOptions,
): Omit<RunSettings, 'format'> & { format: InputFormat | undefined } {
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
    throw loadError('LOAD_INVALID_OPTION', `\`insertMissing\` does not apply to ${type}`);
  }
  // A plan is a dry run that compares with the ledger: it sends nothing either.
  const dryRun = options.dryRun === true || options.plan === true;
  if (options.resume && dryRun) throw loadError('LOAD_INVALID_OPTION', '`resume` does not apply to `dryRun`');
  if (options.resume && options.emulator) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      '`resume` does not apply to `emulator` (it starts empty each time)',
    );
  }
  whole('startRow', options.startRow);
  whole('lastRow', options.lastRow);
  whole('dryRunThreads', options.dryRunThreads);
  checkWaitOptions(options);
  checkEventOptions(type, options);
  if (options.startRow !== undefined && options.lastRow !== undefined && options.lastRow < options.startRow) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `\`lastRow\` ${options.lastRow} is before \`startRow\` ${options.startRow}`,
    );
  }
  const format =
    options.format ?? formatFromPath(typeof options.input === 'string' ? options.input : undefined);
  if (format !== undefined && !FORMATS.includes(format)) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `unknown \`format\` "${String(format)}": expected csv, jsonl or json`,
    );
  }
  const changedOnly = options.changedOnly === true;
  const fullResync = options.fullResync === true;
  const plan = options.plan === true;
  checkSync({
    type,
    changedOnly,
    fullResync,
    plan,
    dryRun: options.dryRun === true,
    resume: options.resume === true,
    ledger: options.ledger,
  });
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
    rejects: outputFile(options.rejects, cwd),
    report: options.report === undefined ? undefined : resolve(cwd, options.report),
    checkpoint: outputFile(options.checkpoint, cwd),
    changedOnly,
    fullResync,
    plan,
    ledger: path(options.ledger),
    eventKey: options.eventKey,
    eventRetentionDays: options.eventRetentionDays,
    wait: options.wait !== false,
    dailyBudget: options.dailyBudget,
    clock: options.clock ?? Date.now,
    cwd,
  };
}

/** `wait` is a boolean; `dailyBudget` a whole number of requests >= 1. */
function checkWaitOptions(options: LoadOptions): void {
  if (options.wait !== undefined && typeof options.wait !== 'boolean') {
    throw loadError('LOAD_INVALID_OPTION', `\`wait\` must be true or false, got ${String(options.wait)}`);
  }
  const budget = options.dailyBudget;
  if (budget !== undefined && !(Number.isSafeInteger(budget) && budget >= 1)) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `\`dailyBudget\` must be a whole number of requests >= 1, got ${String(budget)}`,
    );
  }
}

/** `eventKey` and `eventRetentionDays` are the events ledger's: custom events only. */
function checkEventOptions(type: RecordType, options: LoadOptions): void {
  const { eventKey, eventRetentionDays } = options;
  if ((eventKey !== undefined || eventRetentionDays !== undefined) && type !== 'CUSTOM_EVENT') {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `\`eventKey\` and \`eventRetentionDays\` apply to CUSTOM_EVENT, not ${type}`,
    );
  }
  if (eventKey !== undefined && (typeof eventKey !== 'string' || eventKey.trim() === '')) {
    throw loadError('LOAD_INVALID_OPTION', '`eventKey` must name a source column');
  }
  if (
    eventRetentionDays !== undefined &&
    !(
      Number.isSafeInteger(eventRetentionDays) &&
      eventRetentionDays >= 1 &&
      eventRetentionDays <= MAX_RETENTION_DAYS
    )
  ) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `\`eventRetentionDays\` must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got ${eventRetentionDays}`,
    );
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw loadError('LOAD_INVALID_OPTION', '`clock` must be a function returning ms since the epoch');
  }
}

/** The incremental-sync options that cannot go together. */
function checkSync(o: {
  type: RecordType;
  changedOnly: boolean;
  fullResync: boolean;
  plan: boolean;
  dryRun: boolean;
  resume: boolean;
  ledger: string | false | undefined;
}): void {
  const refuse = (message: string) => {
    throw loadError('LOAD_INVALID_OPTION', message);
  };
  if (o.changedOnly && o.fullResync) refuse('`changedOnly` and `fullResync` exclude each other');
  if (o.plan && (o.dryRun || o.resume)) refuse('`plan` sends nothing already: not with `dryRun` or `resume`');
  if (o.ledger === false && (o.changedOnly || o.fullResync || o.plan)) {
    refuse('`changedOnly`, `fullResync` and `plan` compare with the ledger: not with `ledger: false`');
  }
  if (o.type === 'CUSTOM_EVENT' && o.changedOnly) {
    refuse(
      '`changedOnly` is for users, accounts and preferences: custom events PX confirmed are never sent again anyway',
    );
  }
  if (o.type === 'CUSTOM_EVENT' && o.fullResync) {
    refuse(
      '`fullResync` would record every event again: use `ledger: false` to send events PX already has, on purpose',
    );
  }
}

/** An output file option: a path (resolved), `true` for the default file, else none. */
function outputFile(value: string | boolean | undefined, cwd: string): string | true | undefined {
  if (typeof value === 'string') return resolve(cwd, value);
  return value === true ? true : undefined;
}
