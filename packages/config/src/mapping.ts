import { configError } from './errors.js';
import {
  type FieldSpec,
  freeFormPrefixOf,
  keyFieldOf,
  modelFor,
  type RecordType,
  requiredMappingsOf,
  reservedFieldsOf,
} from './model.js';

/** What a PX field path of a mapping names. */
export type FieldClass =
  | { kind: 'standard'; spec: FieldSpec }
  | { kind: 'custom'; name: string }
  | { kind: 'read-only'; spec: FieldSpec }
  | { kind: 'reserved' }
  | { kind: 'unknown'; reason: string };

/** Classifies one PX field path of a `type` mapping against the built-in model. */
export function classifyField(type: RecordType, path: string): FieldClass {
  const model = modelFor(type);
  const spec = model.get(path);
  if (spec) return spec.readOnly ? { kind: 'read-only', spec } : { kind: 'standard', spec };
  if (reservedFieldsOf(type).includes(path)) return { kind: 'reserved' };
  const prefix = freeFormPrefixOf(type);
  if (prefix && path.startsWith(prefix)) {
    const name = path.slice(prefix.length);
    const segments = name.split('.');
    if (segments.some((segment) => segment === '')) {
      return { kind: 'unknown', reason: `has an empty name after "${prefix}"` };
    }
    if (segments.some((segment) => segment === '__proto__')) {
      return { kind: 'unknown', reason: 'uses the reserved name "__proto__"' };
    }
    if (prefix === 'customAttributes.' && name.includes('.')) {
      return { kind: 'unknown', reason: 'custom attribute names cannot contain "."' };
    }
    return { kind: 'custom', name };
  }
  const head = path.split('.')[0]!;
  const parent = model.get(head);
  if (parent?.readOnly) return { kind: 'read-only', spec: parent };
  const hint = prefix ? ` (custom attributes go under "${prefix}")` : '';
  return { kind: 'unknown', reason: `is not a field of ${type}${hint}` };
}

/**
 * Checks the mapping of one record type: every PX field exists and is writable, the key (and
 * `eventName` for events) is mapped, no two paths collide. Throws a fatal config error.
 */
export function checkMapping(type: RecordType, mapping: unknown, where: string): Record<string, string> {
  const label = `fieldMapping.${type}`;
  if (mapping === undefined || mapping === null) {
    throw configError('CONFIG_NO_MAPPING', where, `no ${label}: map at least "${keyFieldOf(type)}"`, {
      field: label,
    });
  }
  if (typeof mapping !== 'object' || Array.isArray(mapping)) {
    throw configError('CONFIG_INVALID_MAPPING', where, `${label} must be an object of pxField: column`, {
      field: label,
    });
  }
  const out: Record<string, string> = {};
  for (const [path, column] of Object.entries(mapping as Record<string, unknown>)) {
    const field = `${label}.${path}`;
    if (typeof column !== 'string' || column === '') {
      throw configError(
        'CONFIG_INVALID_MAPPING',
        where,
        `${field} must name a source column (a non-empty string)`,
        {
          field,
        },
      );
    }
    const found = classifyField(type, path);
    if (found.kind === 'unknown') {
      throw configError('CONFIG_UNKNOWN_FIELD', where, `${field}: "${path}" ${found.reason}`, { field });
    }
    if (found.kind === 'read-only') {
      throw configError(
        'CONFIG_READ_ONLY_FIELD',
        where,
        `${field}: "${found.spec.path}" is read-only in PX`,
        {
          field,
        },
      );
    }
    if (found.kind === 'reserved') {
      throw configError(
        'CONFIG_RESERVED_FIELD',
        where,
        `${field}: "${path}" is filled by pxstream from productKey and cannot be mapped`,
        { field },
      );
    }
    out[path] = column;
  }
  checkRequired(type, out, where, label);
  checkConflicts(Object.keys(out), where, label);
  return out;
}

function checkRequired(
  type: RecordType,
  mapping: Record<string, string>,
  where: string,
  label: string,
): void {
  const key = keyFieldOf(type);
  if (mapping[key] === undefined) {
    throw configError('CONFIG_KEY_NOT_MAPPED', where, `${label} must map the key field "${key}"`, {
      field: `${label}.${key}`,
    });
  }
  for (const required of requiredMappingsOf(type)) {
    if (mapping[required] === undefined) {
      throw configError('CONFIG_REQUIRED_NOT_MAPPED', where, `${label} must map "${required}"`, {
        field: `${label}.${required}`,
      });
    }
  }
}

/** `attributes.a` and `attributes.a.b` cannot both be set: one is a value, the other an object. */
function checkConflicts(paths: string[], where: string, label: string): void {
  const set = new Set(paths);
  for (const path of paths) {
    let dot = path.indexOf('.');
    while (dot !== -1) {
      const parent = path.slice(0, dot);
      if (set.has(parent)) {
        throw configError(
          'CONFIG_FIELD_CONFLICT',
          where,
          `${label}: "${parent}" and "${path}" cannot both be mapped`,
          {
            field: `${label}.${path}`,
          },
        );
      }
      dot = path.indexOf('.', dot + 1);
    }
  }
}
