import type { ZoneClock } from './zone-clock.js';

/**
 * Reads a PX DATE_TIME value as epoch milliseconds; NaN when it is not one. Accepted:
 * - an integer (optionally negative): epoch milliseconds, as given;
 * - an ISO 8601 calendar date `YYYY-MM-DD` (midnight in the zone);
 * - `YYYY-MM-DD[T| ]hh:mm[:ss[.fraction]]` (fraction of 1 to 9 digits, cut to milliseconds),
 *   read in the zone unless followed by `Z` or an offset `±hh`, `±hhmm`, `±hh:mm`.
 * Hand-written rather than a regular expression: it runs once per date cell and allocates
 * nothing. The caller trims.
 */
export function parseDateTime(text: string, clock: ZoneClock): number {
  const len = text.length;
  if (len === 0) return Number.NaN;
  if (isInteger(text)) return epochMillis(text);
  if (len < 10 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return Number.NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  const date = daysFromCivil(year, month, day) * DAY;
  if (len === 10) return clock.toEpoch(date);

  const sep = text.charCodeAt(10);
  if (sep !== T_UPPER && sep !== T_LOWER && sep !== SPACE) return Number.NaN;
  if (len < 16 || text.charCodeAt(13) !== COLON) return Number.NaN;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return Number.NaN;
  let second = 0;
  let millis = 0;
  let i = 16;
  if (i < len && text.charCodeAt(i) === COLON) {
    second = digits(text, i + 1, 2);
    if (second < 0 || second > 59) return Number.NaN;
    i += 3;
    const mark = text.charCodeAt(i);
    if (i < len && (mark === DOT || mark === COMMA)) {
      const start = ++i;
      while (i < len && i - start < 9 && isDigit(text.charCodeAt(i))) i++;
      const count = i - start;
      if (count === 0) return Number.NaN;
      for (let k = 0; k < 3; k++) millis = millis * 10 + (k < count ? text.charCodeAt(start + k) - ZERO : 0);
    }
  }
  const local = date + hour * HOUR + minute * MINUTE + second * 1000 + millis;
  if (i === len) return clock.toEpoch(local);
  const offset = parseOffset(text, i);
  return Number.isNaN(offset) ? Number.NaN : local - offset;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** ECMAScript's time range: ±100,000,000 days around 1970. */
const MAX_EPOCH = 8.64e15;
const ZERO = 48;
const DASH = 45;
const COLON = 58;
const DOT = 46;
const COMMA = 44;
const SPACE = 32;
const T_UPPER = 84;
const T_LOWER = 116;
const Z_UPPER = 90;
const Z_LOWER = 122;
const PLUS = 43;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The number written by `count` digits at `start`, or -1. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (!(code >= 48 && code <= 57)) return -1;
    value = value * 10 + code - ZERO;
  }
  return value;
}

function isInteger(text: string): boolean {
  let i = text.charCodeAt(0) === DASH ? 1 : 0;
  if (i === text.length) return false;
  for (; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

function epochMillis(text: string): number {
  const value = Number(text);
  return Number.isSafeInteger(value) && Math.abs(value) <= MAX_EPOCH ? value : Number.NaN;
}

/** `Z`, `±hh`, `±hhmm` or `±hh:mm` from `i` to the end, in milliseconds; NaN otherwise. */
function parseOffset(text: string, i: number): number {
  const len = text.length;
  const mark = text.charCodeAt(i);
  if (mark === Z_UPPER || mark === Z_LOWER) return i + 1 === len ? 0 : Number.NaN;
  if (mark !== PLUS && mark !== DASH) return Number.NaN;
  const sign = mark === PLUS ? 1 : -1;
  const hours = digits(text, i + 1, 2);
  let minutes = 0;
  const rest = len - (i + 3);
  if (rest === 2) minutes = digits(text, i + 3, 2);
  else if (rest === 3 && text.charCodeAt(i + 3) === COLON) minutes = digits(text, i + 4, 2);
  else if (rest !== 0) return Number.NaN;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return Number.NaN;
  return sign * (hours * HOUR + minutes * MINUTE);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm; any year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
