/**
 * Body validation against the model tables: one pass that collects every problem as a PX
 * `subErrors` entry and returns the value to store (strings converted when allowed).
 */
import { AnswerError, badRequest, type SubError } from './http-error.js';
import {
  COORDINATE_FIELDS,
  EVENT_FIELDS,
  type FieldSpec,
  LOCATION_FIELDS,
  type ModelTable,
  PREFERENCE_FIELDS,
} from './model.js';
import type { CustomAttributeSpec, PxAttributeType } from './options.js';

export type JsonRecord = Record<string, unknown>;

export interface ValidationContext {
  /** Custom attributes of the model, by apiName. */
  custom: ReadonlyMap<string, CustomAttributeSpec>;
  acceptStringTypes: boolean;
}

interface Pass {
  errors: SubError[];
  acceptStrings: boolean;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return typeof value;
}

function fail(pass: Pass, field: string, message: string): undefined {
  pass.errors.push({ field, message: `${field}: ${message}` });
  return undefined;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Converts one scalar to its kind, or records why it cannot be. Returns undefined on failure. */
function scalar(pass: Pass, field: string, kind: 'integer' | 'number' | 'boolean' | 'date', value: unknown) {
  let v = value;
  if (typeof v === 'string' && pass.acceptStrings) {
    const text = v.trim();
    if (kind === 'boolean' && (text === 'true' || text === 'false')) v = text === 'true';
    else if (kind !== 'boolean' && NUMERIC.test(text)) v = Number(text);
  }
  if (kind === 'boolean')
    return typeof v === 'boolean' ? v : fail(pass, field, `expected a boolean, got ${describe(value)}`);
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    const what =
      kind === 'date'
        ? 'a date as epoch milliseconds (a number)'
        : kind === 'integer'
          ? 'an integer'
          : 'a number';
    return fail(pass, field, `expected ${what}, got ${describe(value)}`);
  }
  if ((kind === 'integer' || kind === 'date') && !Number.isInteger(v)) {
    return fail(
      pass,
      field,
      `expected ${kind === 'date' ? 'whole epoch milliseconds' : 'an integer'}, got ${v}`,
    );
  }
  return v;
}

function isObject(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldValue(
  pass: Pass,
  field: string,
  spec: FieldSpec,
  value: unknown,
  ctx?: ValidationContext,
): unknown {
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') return fail(pass, field, `expected a string, got ${describe(value)}`);
      if (spec.values && !spec.values.includes(value)) {
        return fail(pass, field, `${JSON.stringify(value)} is not one of ${spec.values.join(', ')}`);
      }
      return value;
    case 'stringArray':
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        return fail(pass, field, `expected an array of strings, got ${describe(value)}`);
      }
      return value;
    case 'location':
      return fields(pass, field, LOCATION_FIELDS, value);
    case 'coordinates':
      return fields(pass, field, COORDINATE_FIELDS, value);
    case 'object':
      return isObject(value) ? value : fail(pass, field, `expected an object, got ${describe(value)}`);
    case 'custom':
      return customAttributes(pass, field, value, ctx);
    default:
      return scalar(pass, field, spec.kind, value);
  }
}

/** Checks an object against a table of fields; unknown keys are errors. */
function fields(
  pass: Pass,
  path: string,
  table: Record<string, FieldSpec>,
  value: unknown,
): JsonRecord | undefined {
  if (!isObject(value)) return fail(pass, path, `expected an object, got ${describe(value)}`);
  const out: JsonRecord = {};
  for (const key of Object.keys(value)) {
    const spec = table[key];
    const name = `${path}.${key}`;
    if (!spec) fail(pass, name, 'unknown attribute');
    else {
      const v = fieldValue(pass, name, spec, value[key]);
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

const CUSTOM_KIND: Record<PxAttributeType, 'string' | 'number' | 'boolean' | 'date'> = {
  STRING: 'string',
  NUMBER: 'number',
  BOOLEAN: 'boolean',
  DATE_TIME: 'date',
};

function customAttributes(pass: Pass, path: string, value: unknown, ctx?: ValidationContext) {
  if (!isObject(value)) return fail(pass, path, `expected an object, got ${describe(value)}`);
  const out: JsonRecord = {};
  for (const key of Object.keys(value)) {
    const name = `${path}.${key}`;
    const spec = ctx?.custom.get(key);
    if (!spec) {
      fail(pass, name, 'unknown custom attribute');
      continue;
    }
    const state = spec.state ?? 'ENABLED';
    if (state !== 'ENABLED') {
      fail(pass, name, `custom attribute is ${state}`);
      continue;
    }
    const kind = CUSTOM_KIND[spec.type];
    const v =
      kind === 'string'
        ? typeof value[key] === 'string'
          ? value[key]
          : fail(pass, name, `expected a string, got ${describe(value[key])}`)
        : scalar(pass, name, kind, value[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function throwIfErrors(label: string, errors: SubError[]): void {
  if (errors.length > 0) {
    throw new AnswerError(badRequest(`Invalid ${label}: ${errors[0]!.message}`, errors));
  }
}

/** Parses a request body as a JSON object, or answers 400. */
export function parseJsonObject(text: string | undefined): JsonRecord {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AnswerError(badRequest(`Malformed JSON request: ${reason}`));
  }
  if (!isObject(value))
    throw new AnswerError(badRequest(`Request body must be a JSON object, got ${describe(value)}`));
  return value;
}

/**
 * Validates a User or Account body. On create the key and the required fields must be there;
 * on update nothing is required (the key may come from the path). Throws a 400 answer.
 */
export function validateRecord(
  model: ModelTable,
  body: JsonRecord,
  mode: 'create' | 'update',
  ctx: ValidationContext,
): JsonRecord {
  const pass: Pass = { errors: [], acceptStrings: ctx.acceptStringTypes };
  const out: JsonRecord = {};
  if (mode === 'create') {
    for (const field of [model.key, ...model.requiredOnCreate]) {
      if (body[field] === undefined) fail(pass, field, 'is required');
    }
  }
  for (const key of Object.keys(body)) {
    if (model.readOnly.has(key)) {
      fail(pass, key, 'is read-only and cannot be written');
      continue;
    }
    const spec = model.fields[key];
    if (!spec) {
      fail(pass, key, `unknown ${model.label} attribute`);
      continue;
    }
    const v = fieldValue(pass, key, spec, body[key], ctx);
    if (v !== undefined) out[key] = v;
  }
  if (typeof out[model.key] === 'string' && out[model.key] === '') fail(pass, model.key, 'must not be empty');
  throwIfErrors(model.label, pass.errors);
  return out;
}

/** Validates a CustomEvent body: `identifyId` and `eventName` required. */
export function validateEvent(body: JsonRecord, acceptStringTypes: boolean): JsonRecord {
  const pass: Pass = { errors: [], acceptStrings: acceptStringTypes };
  for (const field of ['identifyId', 'eventName']) {
    if (body[field] === undefined) fail(pass, field, 'is required');
  }
  const out: JsonRecord = {};
  for (const key of Object.keys(body)) {
    const spec = EVENT_FIELDS[key];
    if (!spec) {
      fail(pass, key, 'unknown CustomEvent attribute');
      continue;
    }
    const v = fieldValue(pass, key, spec, body[key]);
    if (v !== undefined) out[key] = v;
  }
  throwIfErrors('CustomEvent', pass.errors);
  return out;
}

/** Validates a user preferences body (booleans only). */
export function validatePreferences(body: JsonRecord, acceptStringTypes: boolean): JsonRecord {
  const pass: Pass = { errors: [], acceptStrings: acceptStringTypes };
  const out: JsonRecord = {};
  for (const key of Object.keys(body)) {
    const spec = PREFERENCE_FIELDS[key];
    if (!spec) {
      fail(pass, key, 'unknown preference');
      continue;
    }
    const v = fieldValue(pass, key, spec, body[key]);
    if (v !== undefined) out[key] = v;
  }
  throwIfErrors('preferences', pass.errors);
  return out;
}
