/**
 * PX records turned into the rows an export writes. By default the config's mapping turned
 * around: a column per mapped CSV column, holding the value of its PX field in the form the
 * loader reads back to the same value, so that an export loads into an empty PX with the same
 * config and gives the same records. With `allFields`, every field of the record, flattened.
 */
import type { FieldTypeInfo } from '@pxstream/config';
import { type JsonObject, readPath } from '@pxstream/core';
import type { ExportRecord } from './types.js';

/** Turns one PX record into one exported row. */
export type RecordShaper = (record: JsonObject) => ExportRecord;

interface Column {
  name: string;
  /** The PX field, whole and split (see `readPath`). */
  path: string;
  segments: readonly string[];
  /** DATE_TIME: epoch ms written as ISO 8601 in UTC. */
  date: boolean;
}

/**
 * The config's mapping turned around: the columns, in the mapping's order (a column two PX
 * fields share is written once, from the first), and the shaper. Values are kept typed
 * (numbers, booleans, strings), dates become ISO 8601 text (`2024-11-02T06:52:00.000Z`, which
 * the mapper reads back to the same millisecond whatever the config's timezone), and a field PX
 * lacks or holds as null is left out: an empty cell, which the loader leaves out too.
 */
export function mappingShaper(
  mapping: Readonly<Record<string, string>>,
  fieldTypes: ReadonlyMap<string, FieldTypeInfo>,
): { columns: string[]; shape: RecordShaper } {
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const [path, name] of Object.entries(mapping)) {
    if (seen.has(name)) continue;
    seen.add(name);
    columns.push({ name, path, segments: path.split('.'), date: fieldTypes.get(path)?.type === 'DATE_TIME' });
  }
  const shape: RecordShaper = (record) => {
    const row: ExportRecord = {};
    for (const column of columns) {
      const value = readPath(record, column.path, column.segments);
      if (value === undefined || value === null) continue;
      row[column.name] = column.date ? dateText(value) : value;
    }
    return row;
  };
  return { columns: columns.map((column) => column.name), shape };
}

/** The instants `YYYY` covers (years 0000 to 9999): the mapper reads four-digit years only. */
const ISO_YEARS = {
  min: Date.parse('0000-01-01T00:00:00.000Z'),
  max: Date.parse('9999-12-31T23:59:59.999Z'),
};

/**
 * A DATE_TIME value as the loader reads it back: epoch ms (what PX holds) as ISO 8601 UTC text
 * with milliseconds; a date outside years 0000-9999 stays epoch ms (the mapper reads both).
 * Anything else PX may hold (a string) is left as it is.
 */
export function dateText(value: unknown): unknown {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return value;
  if (value < ISO_YEARS.min || value > ISO_YEARS.max) return value;
  return new Date(value).toISOString();
}

/**
 * Every field of a record, nested objects flattened to dotted paths (`location.city`,
 * `customAttributes.plan`), in the record's order; arrays (`propertyKeys`) and empty objects
 * kept whole as values.
 */
export function flattenRecord(record: JsonObject): ExportRecord {
  const row: ExportRecord = {};
  const walk = (object: JsonObject, prefix: string) => {
    for (const [name, value] of Object.entries(object)) {
      const path = prefix + name;
      if (isObject(value) && Object.keys(value).length > 0) walk(value, `${path}.`);
      else row[path] = value;
    }
  };
  walk(record, '');
  return row;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
