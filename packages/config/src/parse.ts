import { KNOWN_KEYS, type ParseConfigOptions, type PxConfig } from './config.js';
import { type ConfigErrorCode, configError } from './errors.js';
import { checkFields, type JsonObject } from './fields.js';
import { findJsonError } from './json-error.js';
import { checkMapping } from './mapping.js';
import { isRecordType, RECORD_TYPES, type RecordType } from './model.js';

/**
 * Parses and checks a config.json text. Every problem is a fatal `PxStreamError` with a
 * `CONFIG_*` code and a one-line message naming the file and the setting.
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): PxConfig {
  const where = options.path ?? 'config.json';
  const env = options.env ?? process.env;
  const type = options.type;
  if (type !== undefined && !isRecordType(type)) {
    throw configError(
      'CONFIG_UNKNOWN_TYPE',
      where,
      `unknown record type; expected one of ${RECORD_TYPES.join(', ')}`,
    );
  }
  const root = parseJson(text, where);
  const fields = checkFields(root, where, env, type);
  const fieldMapping = checkMappings(root.fieldMapping, where, type, fields.warnings);
  for (const key of Object.keys(root)) {
    if (!KNOWN_KEYS.includes(key)) fields.warnings.push(`${where}: unknown setting "${key}" ignored`);
  }
  return { path: where, ...fields, fieldMapping };
}

function parseJson(text: string, where: string): JsonObject {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const found = findJsonError(body);
    const code: ConfigErrorCode = 'CONFIG_INVALID_JSON';
    if (!found) throw configError(code, where, 'invalid JSON');
    throw configError(
      code,
      where,
      `invalid JSON at line ${found.line}, column ${found.column}: ${found.reason}`,
      {
        line: found.line,
        column: found.column,
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw configError('CONFIG_NOT_OBJECT', where, `the config must be a JSON object, not ${kind}`);
  }
  return value as JsonObject;
}

function checkMappings(
  value: unknown,
  where: string,
  type: RecordType | undefined,
  warnings: string[],
): PxConfig['fieldMapping'] {
  if (value === undefined && type === undefined) return {};
  if (value === undefined || value === null) {
    throw configError('CONFIG_NO_MAPPING', where, `no fieldMapping: map at least the ${type} key field`, {
      field: 'fieldMapping',
    });
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw configError(
      'CONFIG_INVALID_MAPPING',
      where,
      'fieldMapping must be an object of TYPE: {pxField: column}',
      {
        field: 'fieldMapping',
      },
    );
  }
  const out: PxConfig['fieldMapping'] = {};
  const raw = value as JsonObject;
  for (const [name, mapping] of Object.entries(raw)) {
    if (!isRecordType(name)) {
      warnings.push(`${where}: fieldMapping.${name} ignored (types are ${RECORD_TYPES.join(', ')})`);
      continue;
    }
    if (type === undefined || name === type) out[name] = checkMapping(name, mapping, where);
    else if (mapping && typeof mapping === 'object' && !Array.isArray(mapping)) {
      // Another type's mapping: kept as is, checked when a run of that type loads the config.
      out[name] = Object.fromEntries(
        Object.entries(mapping).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    }
  }
  if (type !== undefined && out[type] === undefined) checkMapping(type, undefined, where);
  return out;
}
