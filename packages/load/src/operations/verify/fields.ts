/**
 * What `verify` compares, field by field: each mapped field of the body a load would send with
 * the same field of PX's record. The equivalence rules (README, "Verify"):
 * - numbers by value (`4`, `4.0` and PX's `"4"` are one value);
 * - dates as epoch milliseconds (what PX holds; an ISO text PX may give is read as an instant);
 * - booleans as booleans (PX may hold Gainsight's loader's `"true"`/`"false"` strings);
 * - strings exactly (case and spaces count);
 * - a field the row leaves empty is not in the body, so it is not compared;
 * - `propertyKeys` (pxstream fills it from the config): PX's list must hold every product key of
 *   the config (PX may list more products).
 * Each value becomes a token, equal for equal values under these rules; a row's tokens hash to
 * 64 bits, so PX's records can be held against a million rows without keeping the rows (a plan
 * file keeps a hash per field of its changed rows, to name the ones that differ).
 */
import * as crypto from 'node:crypto';
import type { FieldTypeInfo, PxType } from '@pxstream/config';
import { type JsonObject, readPath } from '@pxstream/core';
import { hashIdInto, idKey } from '@pxstream/ledger';

/** One compared field: a PX path and how its values compare. */
export interface ComparedField {
  path: string;
  segments: readonly string[];
  /** The PX type its values compare as; `propertyKeys` compares as a list of product keys. */
  type: PxType | 'PRODUCT_KEYS';
}

/** The fields of a row that are compared: its non-empty mapped fields, by index into `fields`. */
export type FieldSet = readonly number[];

/** A field whose file and PX values differ. */
export interface FieldDifference {
  field: string;
  file: unknown;
  px: unknown;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/**
 * The compared fields of a mapping: every mapped PX field but the record's key (the key is what
 * rows and records are matched by), in the mapping's order, then `propertyKeys`.
 */
export function comparedFields(
  mapping: Readonly<Record<string, string>>,
  fieldTypes: ReadonlyMap<string, FieldTypeInfo>,
  keyField: string,
): ComparedField[] {
  const fields: ComparedField[] = [];
  for (const path of Object.keys(mapping)) {
    if (path === keyField) continue;
    fields.push({ path, segments: path.split('.'), type: fieldTypes.get(path)?.type ?? 'STRING' });
  }
  fields.push({ path: 'propertyKeys', segments: ['propertyKeys'], type: 'PRODUCT_KEYS' });
  return fields;
}

/** Compares bodies with PX's records over `fields`, the config's product keys given. */
export class FieldComparer {
  /** Field sets seen, interned: a row keeps the number of its set (4 bytes), not the set. */
  private readonly setIds = new Map<string, number>();
  readonly sets: FieldSet[] = [];

  constructor(
    readonly fields: readonly ComparedField[],
    private readonly productKeys: readonly string[],
  ) {}

  /** The number of the set of fields `body` holds (see `sets`). */
  fieldSetOf(body: JsonObject): number {
    const present: number[] = [];
    for (let i = 0; i < this.fields.length; i++) {
      const field = this.fields[i]!;
      const value = readPath(body, field.path, field.segments);
      if (value !== undefined && value !== null) present.push(i);
    }
    const name = present.join(',');
    let id = this.setIds.get(name);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(present);
      this.setIds.set(name, id);
    }
    return id;
  }

  /** The 64-bit hash of `object`'s values of the fields of set `setId`, as two 32-bit words. */
  hashOf(object: JsonObject, setId: number, out: Uint32Array, at: number): void {
    let text = '';
    for (const i of this.sets[setId]!) {
      const token = this.tokenOf(object, i);
      text += `${token.length}:${token}`;
    }
    const hex = crypto.createHash('sha1').update(text).digest('hex');
    out[at] = Number.parseInt(hex.slice(0, 8), 16);
    out[at + 1] = Number.parseInt(hex.slice(8, 16), 16);
  }

  /** The fields of set `setId` whose values differ between the body and PX's record. */
  differences(body: JsonObject, record: JsonObject, setId: number): FieldDifference[] {
    const differences: FieldDifference[] = [];
    for (const i of this.sets[setId]!) {
      if (this.tokenOf(body, i) === this.tokenOf(record, i)) continue;
      const { path, segments } = this.fields[i]!;
      differences.push({
        field: path,
        file: readPath(body, path, segments),
        px: readPath(record, path, segments) ?? null,
      });
    }
    return differences;
  }

  /** How many fields set `setId` holds. */
  sizeOf(setId: number): number {
    return this.sets[setId]!.length;
  }

  /**
   * Each field of set `setId` of `object` as the 64-bit hash of its token (the ledger's id hash,
   * two words a field from `out[at]` on, in the set's order): what a plan keeps of a changed row,
   * to name once PX's record is read the fields that differ, without keeping the row
   * (`differingFields`).
   */
  fieldHashesOf(object: JsonObject, setId: number, out: Uint32Array, at: number): void {
    const set = this.sets[setId]!;
    for (let k = 0; k < set.length; k++) {
      hashIdInto(this.tokenOf(object, set[k]!));
      out[at + 2 * k] = idKey.hi;
      out[at + 2 * k + 1] = idKey.lo;
    }
  }

  /**
   * The paths of the fields of set `setId` whose token in `record` hashes otherwise than the
   * row's (`fieldHashesOf`, from `hashes[at]` on), in the set's order.
   */
  differingFields(record: JsonObject, setId: number, hashes: Uint32Array, at: number): string[] {
    const set = this.sets[setId]!;
    const differing: string[] = [];
    for (let k = 0; k < set.length; k++) {
      hashIdInto(this.tokenOf(record, set[k]!));
      if (idKey.hi !== hashes[at + 2 * k] || idKey.lo !== hashes[at + 2 * k + 1]) {
        differing.push(this.fields[set[k]!]!.path);
      }
    }
    return differing;
  }

  /**
   * PX's values of the fields of set `setId` only, nested as in the record: what `verify` keeps
   * of a record that differs, to name its fields later.
   */
  project(record: JsonObject, setId: number): JsonObject {
    const kept: JsonObject = {};
    for (const i of this.sets[setId]!) {
      const { path, segments } = this.fields[i]!;
      const value = readPath(record, path, segments);
      if (value !== undefined) kept[path] = value;
    }
    return kept;
  }

  /** The token of field `i` of `object`: equal tokens are equal values under the rules above. */
  private tokenOf(object: JsonObject, i: number): string {
    const field = this.fields[i]!;
    return valueToken(field.type, readPath(object, field.path, field.segments), this.productKeys);
  }
}

/** A value's token under the equivalence rules (exported for tests). */
export function valueToken(
  type: ComparedField['type'],
  value: unknown,
  productKeys: readonly string[] = [],
): string {
  if (value === undefined || value === null) return 'u';
  switch (type) {
    case 'NUMBER': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && DECIMAL.test(value.trim())
            ? Number(value)
            : NaN;
      return Number.isFinite(n) ? `n${n}` : other(value);
    }
    case 'DATE_TIME': {
      if (typeof value === 'number') return Number.isFinite(value) ? `d${value}` : other(value);
      if (typeof value !== 'string') return other(value);
      const ms = INTEGER.test(value.trim()) ? Number(value) : Date.parse(value);
      return Number.isFinite(ms) ? `d${ms}` : other(value);
    }
    case 'BOOLEAN': {
      if (typeof value === 'boolean') return value ? 'b1' : 'b0';
      const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
      return text === 'true' ? 'b1' : text === 'false' ? 'b0' : other(value);
    }
    case 'STRING':
      return typeof value === 'string' ? `s${value}` : other(value);
    case 'PRODUCT_KEYS':
      return Array.isArray(value) && productKeys.every((key) => value.includes(key)) ? 'k' : other(value);
  }
}

/** A value of another type than its field's: equal only to the same JSON. */
function other(value: unknown): string {
  return `x${JSON.stringify(value)}`;
}
