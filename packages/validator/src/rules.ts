import type { FieldTypeInfo } from '@pxstream/config';
import type { JsonObject } from '@pxstream/core';
import type { ValidatorErrorCode } from './errors.js';

/** A failed check: the code, the PX field, and a message that completes `<field>: <value> ...`. */
export interface RuleFailure {
  code: ValidatorErrorCode;
  field: string;
  message: string;
}

const MAX_SHOWN = 60;

export function show(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);
}

export function fail(code: ValidatorErrorCode, field: string, message: string): RuleFailure {
  return { code, field, message: `${field}: ${message}` };
}

/**
 * Pragmatic address shape, not RFC 5322: no spaces, one `@`, something before it, a domain with
 * a dot and no empty label after it, at most 254 characters.
 */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/** Trims the address in place; fails when it does not look like one. */
export function checkEmail(body: JsonObject): RuleFailure | undefined {
  const value = body.email;
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length > 254 || !EMAIL.test(text)) {
    return fail('VALIDATE_INVALID_EMAIL', 'email', `${show(value)} is not an email address`);
  }
  if (text !== value) body.email = text;
  return undefined;
}

/** Case-insensitive in, canonical upper case out (rewritten in the body). */
export function checkEnum(
  body: JsonObject,
  field: string,
  values: readonly string[],
): RuleFailure | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!values.includes(upper)) {
    return fail('VALIDATE_INVALID_ENUM', field, `${show(value)} is not one of ${values.join(', ')}`);
  }
  if (upper !== value) body[field] = upper;
  return undefined;
}

/** Two ASCII letters (a hand check: it runs on every row with a location). */
function isCountryCode(text: string): boolean {
  if (text.length !== 2) return false;
  const a = text.charCodeAt(0) | 32;
  const b = text.charCodeAt(1) | 32;
  return a >= 97 && a <= 122 && b >= 97 && b <= 122;
}

/** Coordinates in range; `countryCode` two letters, upper-cased in place. */
export function checkLocation(body: JsonObject): RuleFailure | undefined {
  const location = body.location as JsonObject | undefined;
  if (location === undefined || typeof location !== 'object' || location === null) return undefined;
  const code = location.countryCode;
  if (code !== undefined) {
    const text = typeof code === 'string' ? code.trim() : '';
    if (!isCountryCode(text)) {
      return fail(
        'VALIDATE_INVALID_COUNTRY_CODE',
        'location.countryCode',
        `${show(code)} is not a two-letter ISO 3166 country code`,
      );
    }
    const upper = text.toUpperCase();
    if (upper !== code) location.countryCode = upper;
  }
  const coordinates = location.coordinates as JsonObject | undefined;
  if (coordinates === undefined || typeof coordinates !== 'object' || coordinates === null) return undefined;
  return (
    checkRange(coordinates.latitude, 'location.coordinates.latitude', 90) ??
    checkRange(coordinates.longitude, 'location.coordinates.longitude', 180)
  );
}

function checkRange(value: unknown, field: string, limit: number): RuleFailure | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && value >= -limit && value <= limit) return undefined;
  return fail('VALIDATE_OUT_OF_RANGE', field, `${show(value)} is outside [-${limit}, ${limit}]`);
}

/** A non-empty string (after trimming). */
export function isPresent(value: unknown): boolean {
  return typeof value === 'string' ? value.trim() !== '' : value !== undefined && value !== null;
}

/** The body value at a pre-split path, or undefined. */
export function valueAt(body: JsonObject, segments: readonly string[]): unknown {
  let current: unknown = body;
  for (let i = 0; i < segments.length; i++) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as JsonObject)[segments[i]!];
  }
  return current;
}

/** The JSON type a PX type must be sent as (pxstream sends real numbers and booleans). */
export function checkType(value: unknown, info: FieldTypeInfo): RuleFailure | undefined {
  let ok: boolean;
  switch (info.type) {
    case 'STRING':
      ok = typeof value === 'string';
      break;
    case 'BOOLEAN':
      ok = typeof value === 'boolean';
      break;
    case 'NUMBER':
      ok = typeof value === 'number' && Number.isFinite(value) && (!info.integer || Number.isInteger(value));
      break;
    case 'DATE_TIME':
      ok = typeof value === 'number' && Number.isSafeInteger(value);
      break;
  }
  if (ok) return undefined;
  const expected = info.type === 'NUMBER' && info.integer ? 'an integer' : `a ${info.type} value`;
  return fail('VALIDATE_TYPE_MISMATCH', info.path, `${show(value)} is not ${expected}`);
}
