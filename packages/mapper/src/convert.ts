import type { FieldTypeInfo } from '@pxstream/config';
import { parseDateTime } from './date-time.js';
import { ConversionFailure, FAILURES } from './errors.js';
import { type ZoneClock, zoneClock } from './zone-clock.js';

/** A value ready for a PX body. */
export type Converted = string | number | boolean;

/**
 * Converts one non-empty source value: the PX value, `undefined` when it is blank (a typed
 * field whose cell holds only spaces: left out), or a `ConversionFailure`.
 */
export type Converter = (raw: unknown) => Converted | ConversionFailure | undefined;

/** Decimal numbers as people and exports write them: `12`, `-3.5`, `+4`, `.5`, `5.`, `1e3`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A source value that counts as empty: the field is left out of the body. */
export function isEmptyValue(raw: unknown): boolean {
  return raw === undefined || raw === null || raw === '';
}

/**
 * Builds the converter of one field (once per mapper, not per row). Strings are trimmed for
 * NUMBER, BOOLEAN and DATE_TIME (a blank cell there counts as empty), kept as is for STRING.
 * JSON numbers and booleans are taken as such where they fit.
 */
export function compileConverter(info: FieldTypeInfo, timezone: string): Converter {
  switch (info.type) {
    case 'STRING':
      return toStringValue;
    case 'BOOLEAN':
      return toBoolean;
    case 'NUMBER':
      return info.integer ? toInteger : toNumber;
    case 'DATE_TIME': {
      const clock = zoneClock(timezone);
      return (raw) => toDateTime(raw, clock);
    }
  }
}

/**
 * The per-value conversion, for tests and one-off use. Returns `undefined` for an empty value
 * (left out of the body), the converted value, or a `ConversionFailure`.
 */
export function convertValue(
  raw: unknown,
  info: FieldTypeInfo,
  timezone: string,
): Converted | ConversionFailure | undefined {
  if (isEmptyValue(raw)) return undefined;
  return compileConverter(info, timezone)(raw);
}

function toStringValue(raw: unknown): Converted | ConversionFailure {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return String(raw);
  // A Date from an object input (a database cursor): its ISO 8601 text.
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? FAILURES.date : raw.toISOString();
  return FAILURES.nested;
}

function toBoolean(raw: unknown): Converted | ConversionFailure | undefined {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return raw === 1 ? true : raw === 0 ? false : FAILURES.boolean;
  if (typeof raw !== 'string') return typeof raw === 'object' ? FAILURES.nested : FAILURES.boolean;
  switch (raw.trim().toLowerCase()) {
    case '':
      return undefined;
    case 'true':
    case 'yes':
    case 'y':
    case '1':
      return true;
    case 'false':
    case 'no':
    case 'n':
    case '0':
      return false;
    default:
      return FAILURES.boolean;
  }
}

function toNumber(raw: unknown): Converted | ConversionFailure | undefined {
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'bigint') value = Number(raw);
  else if (typeof raw === 'string') {
    const text = raw.trim();
    if (text === '') return undefined;
    if (!DECIMAL.test(text)) return FAILURES.number;
    value = Number(text);
  } else return typeof raw === 'object' ? FAILURES.nested : FAILURES.number;
  return Number.isFinite(value) ? value : FAILURES.number;
}

function toInteger(raw: unknown): Converted | ConversionFailure | undefined {
  const value = toNumber(raw);
  if (typeof value !== 'number') return value;
  if (!Number.isInteger(value)) return FAILURES.integer;
  return Number.isSafeInteger(value) ? value : FAILURES.number;
}

function toDateTime(raw: unknown, clock: ZoneClock): Converted | ConversionFailure | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : FAILURES.date;
  // A Date (object inputs) is an instant: epoch milliseconds, whatever the config's timezone.
  if (raw instanceof Date) {
    const ms = raw.getTime();
    return Number.isNaN(ms) ? FAILURES.date : ms;
  }
  if (typeof raw !== 'string') return typeof raw === 'object' ? FAILURES.nested : FAILURES.date;
  const text = raw.trim();
  if (text === '') return undefined;
  const value = parseDateTime(text, clock);
  return Number.isNaN(value) ? FAILURES.date : value;
}

export { ConversionFailure };
