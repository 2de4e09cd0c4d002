import { type FieldTypeInfo, keyFieldOf, type RecordType, resolveFieldTypes } from '@pxstream/config';
import { isCsvRow, PxStreamError, type Rejection, type RowEnvelope, type RowStep } from '@pxstream/core';
import { type BodyBuilder, type BuilderParts, compileBodyBuilder, type FieldPlan } from './codegen.js';
import { compileConverter } from './convert.js';

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

interface CompiledField extends FieldPlan {
  readonly path: string;
}

const MAX_SHOWN = 60;

/** Compiles a field mapping once into a row step that builds PX bodies (stage `map`). */
export function compileMapper(options: MapperOptions): Mapper {
  return new CompiledMapper(options);
}

/**
 * The step around the generated body builders (see `compileBodyBuilder`): one for JSON-lines
 * rows, built at once, and one per CSV header (its column positions are constants in it),
 * built when the first row of that header arrives.
 */
class CompiledMapper implements Mapper {
  readonly stage = 'map' as const;
  private readonly fields: readonly CompiledField[];
  private readonly parts: BuilderParts;
  private readonly buildObject: BodyBuilder;
  private lastColumns: readonly string[] | undefined;
  private buildCells: BodyBuilder | undefined;

  constructor(options: MapperOptions) {
    const { type, mapping } = options;
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
      });
    }
    // The key first: bodies read better and a rejection names the row's key when it can.
    fields.sort((a, b) => Number(b.isKey) - Number(a.isKey));
    checkPaths(fields);
    this.fields = fields;
    const productKeys = Object.freeze([...options.productKeys]);
    this.parts = {
      fields,
      constants:
        type === 'USER' || type === 'ACCOUNT'
          ? [['propertyKeys', productKeys]]
          : type === 'CUSTOM_EVENT'
            ? [
                ['userType', 'USER'],
                ['propertyKey', productKeys[0]],
              ]
            : [],
      fail: (row, index, raw, failure) => {
        const field = this.fields[index]!;
        return this.reject(
          row,
          field,
          failure.code,
          `${field.path}: ${show(raw)} (column ${field.column}) ${failure.reason}`,
        );
      },
      missing: (row, index) => {
        const field = this.fields[index]!;
        return this.reject(row, field, 'MAP_UNKNOWN_COLUMN', `column "${field.column}" is not in the header`);
      },
    };
    this.buildObject = compileBodyBuilder(this.parts, undefined);
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
    if (!isCsvRow(row)) return this.buildObject(row);
    if (row.columns !== this.lastColumns || this.buildCells === undefined) {
      this.lastColumns = row.columns;
      this.buildCells = compileBodyBuilder(this.parts, this.positionsOf(row.columns));
    }
    return this.buildCells(row);
  }

  /** Column index of each field in a header (-1 when it lacks the column). */
  private positionsOf(columns: readonly string[] | undefined): Int32Array {
    const fields = this.fields;
    const positions = new Int32Array(fields.length);
    for (let i = 0; i < fields.length; i++) positions[i] = columns ? columns.indexOf(fields[i]!.column) : -1;
    return positions;
  }

  private reject(row: RowEnvelope, field: CompiledField, code: string, message: string): Rejection {
    return { row, stage: 'map', code, message, field: field.path };
  }
}

/**
 * Two PX paths where one is a prefix of the other (`a` and `a.b`) cannot both be set: a fatal
 * `MAP_CONFLICTING_PATHS` at compile time (the config loader refuses them earlier; this guards
 * mappings given to the library directly).
 */
function checkPaths(fields: readonly CompiledField[]): void {
  const paths = new Set(fields.map((field) => field.path));
  for (const field of fields) {
    for (let depth = 1; depth < field.segments.length; depth++) {
      const prefix = field.segments.slice(0, depth).join('.');
      if (paths.has(prefix)) {
        throw new PxStreamError(
          'MAP_CONFLICTING_PATHS',
          `mapping sets both "${prefix}" and "${field.path}": a field cannot also hold fields`,
          { fatal: true, stage: 'map', field: field.path },
        );
      }
    }
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
