import { type FieldTypeInfo, keyFieldOf, type RecordType, resolveFieldTypes } from '@pxstream/config';
import {
  isCsvRow,
  type JsonObject,
  PxStreamError,
  type Rejection,
  type RowEnvelope,
  type RowStep,
} from '@pxstream/core';
import { type Converter, compileConverter } from './convert.js';
import { ConversionFailure } from './errors.js';
import { readPath, setPath } from './paths.js';

export interface MapperOptions {
  type: RecordType;
  /** pxField -> CSV header name, or for JSON-lines a dot path into the row object. */
  mapping: Readonly<Record<string, string>>;
  /** From `resolveFieldTypes`; fields it lacks are resolved offline (custom ones as STRING). */
  fieldTypes?: ReadonlyMap<string, FieldTypeInfo>;
  productKeys: readonly string[];
  /** IANA zone for dates without offset. Default `UTC`. */
  timezone?: string;
}

export interface Mapper extends RowStep {
  readonly stage: 'map';
  /** Throws a fatal `MAP_UNKNOWN_COLUMN` listing every mapped column the CSV header lacks. */
  checkColumns(columns: readonly string[]): void;
}

interface CompiledField {
  readonly path: string;
  readonly segments: readonly string[];
  readonly column: string;
  readonly columnSegments: readonly string[];
  readonly convert: Converter;
  readonly isKey: boolean;
  /** USER_PREFERENCES: the key goes in the URL, not the body. */
  readonly inBody: boolean;
  /** The body key when the path has no dot (set directly, without a walk). */
  readonly topLevel: string | undefined;
}

const MAX_SHOWN = 60;

/** Compiles a field mapping once into a row step that builds PX bodies (stage `map`). */
export function compileMapper(options: MapperOptions): Mapper {
  return new CompiledMapper(options);
}

class CompiledMapper implements Mapper {
  readonly stage = 'map' as const;
  private readonly fields: readonly CompiledField[];
  private readonly type: RecordType;
  private readonly productKeys: readonly string[];
  private lastColumns: readonly string[] | undefined;
  private lastPositions: Int32Array = new Int32Array(0);

  constructor(options: MapperOptions) {
    const { type, mapping } = options;
    this.type = type;
    this.productKeys = Object.freeze([...options.productKeys]);
    const timezone = options.timezone ?? 'UTC';
    const resolved = resolveMissing(type, mapping, options.fieldTypes);
    const key = keyFieldOf(type);
    const fields: CompiledField[] = [];
    for (const [path, column] of Object.entries(mapping)) {
      const info = resolved.get(path)!;
      fields.push({
        path,
        segments: Object.freeze(path.split('.')),
        column,
        columnSegments: Object.freeze(column.split('.')),
        convert: compileConverter(info, timezone),
        isKey: path === key,
        inBody: !(path === key && type === 'USER_PREFERENCES'),
        topLevel: path.includes('.') ? undefined : path,
      });
    }
    // The key first: bodies read better and a rejection names the row's key when it can.
    fields.sort((a, b) => Number(b.isKey) - Number(a.isKey));
    this.fields = fields;
  }

  checkColumns(columns: readonly string[]): void {
    const missing = this.fields.filter((field) => !columns.includes(field.column));
    if (missing.length === 0) return;
    const list = missing.map((field) => `"${field.column}" (for ${field.path})`).join(', ');
    throw new PxStreamError(
      'MAP_UNKNOWN_COLUMN',
      `mapped column${missing.length > 1 ? 's' : ''} not in the header: ${list}`,
      {
        fatal: true,
        stage: 'map',
        field: missing[0]!.column,
      },
    );
  }

  process(row: RowEnvelope): RowEnvelope | Rejection {
    const fields = this.fields;
    const body: JsonObject = {};
    let key: string | undefined;
    let cells: readonly string[] | undefined;
    let positions: Int32Array | undefined;
    let object: JsonObject | undefined;
    if (isCsvRow(row)) {
      cells = row.fields;
      positions = this.positionsOf(row.columns);
    } else object = row.fields as JsonObject;

    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      let raw: unknown;
      if (cells !== undefined) {
        const at = positions![i]!;
        if (at < 0)
          return this.reject(
            row,
            field,
            'MAP_UNKNOWN_COLUMN',
            `column "${field.column}" is not in the header`,
          );
        raw = cells[at];
      } else raw = readPath(object!, field.column, field.columnSegments);
      if (raw === undefined || raw === null || raw === '') continue;
      const value = field.convert(raw);
      if (value === undefined) continue;
      if (value instanceof ConversionFailure) {
        return this.reject(
          row,
          field,
          value.code,
          `${field.path}: ${show(raw)} (column ${field.column}) ${value.reason}`,
        );
      }
      if (field.isKey) key = String(value);
      if (field.inBody) {
        // Most PX fields are top-level: skip the path walk for them.
        if (field.topLevel !== undefined) body[field.topLevel] = value;
        else setPath(body, field.segments, value);
      }
    }

    if (this.type === 'USER' || this.type === 'ACCOUNT') body.propertyKeys = this.productKeys;
    else if (this.type === 'CUSTOM_EVENT') {
      body.userType = 'USER';
      body.propertyKey = this.productKeys[0];
    }
    row.body = body;
    row.key = key;
    return row;
  }

  /** Column index of each field, computed once per distinct header array (cached by reference). */
  private positionsOf(columns: readonly string[] | undefined): Int32Array {
    if (columns === this.lastColumns) return this.lastPositions;
    const fields = this.fields;
    const positions = new Int32Array(fields.length);
    for (let i = 0; i < fields.length; i++) positions[i] = columns ? columns.indexOf(fields[i]!.column) : -1;
    this.lastColumns = columns;
    this.lastPositions = positions;
    return positions;
  }

  private reject(row: RowEnvelope, field: CompiledField, code: string, message: string): Rejection {
    return { row, stage: 'map', code, message, field: field.path };
  }
}

function resolveMissing(
  type: RecordType,
  mapping: Readonly<Record<string, string>>,
  given: ReadonlyMap<string, FieldTypeInfo> | undefined,
): ReadonlyMap<string, FieldTypeInfo> {
  if (given && Object.keys(mapping).every((path) => given.has(path))) return given;
  const offline = resolveFieldTypes(type, mapping);
  if (given) for (const [path, info] of given) offline.set(path, info);
  return offline;
}

/** A value as shown in a rejection: JSON-quoted, cut short. */
function show(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);
}
