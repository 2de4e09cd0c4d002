import type { Rejection, RowEnvelope } from '@pxstream/core';
import type { Converter } from './convert.js';
import { ConversionFailure } from './errors.js';
import { readPath } from './paths.js';

/** What the generated code needs to know of one mapped field. */
export interface FieldPlan {
  /** PX path, split on dots. */
  readonly segments: readonly string[];
  /** JSON-lines: the source key or dot path. */
  readonly column: string;
  readonly columnSegments: readonly string[];
  readonly convert: Converter;
  readonly isKey: boolean;
  /** USER_PREFERENCES: the key goes in the URL, not the body. */
  readonly inBody: boolean;
}

/** Rejects row `row` at field `index` (the mapper builds the message). */
export type FieldFailure = (
  row: RowEnvelope,
  index: number,
  raw: unknown,
  failure: ConversionFailure,
) => Rejection;
export type MissingColumn = (row: RowEnvelope, index: number) => Rejection;

/** Fills `row.body` and `row.key`, or returns the rejection. */
export type BodyBuilder = (row: RowEnvelope) => RowEnvelope | Rejection;

export interface BuilderParts {
  fields: readonly FieldPlan[];
  /** Fields added to every body after the mapped ones (propertyKeys, userType...). */
  constants: readonly (readonly [string, unknown])[];
  fail: FieldFailure;
  missing: MissingColumn;
}

const literal = (text: string) => JSON.stringify(text);

/**
 * Compiles the body builder of one mapping: a function specialised with `new Function`, in
 * which every PX field is a named store, every nested object a local created on its first
 * value, and (for CSV) every column a constant index into the row's cells. The generic loop
 * it replaces paid a keyed store, a path walk and a keyed read per field and per row: half of
 * the mapping time of a JSON-lines load. Every name in the code is a JSON string literal, so
 * no mapping text can become code.
 *
 * `positions` are the CSV column of each field (-1 when the header lacks it); without them
 * the builder reads JSON-lines objects. Plain source keys are read directly (`src["email"]`,
 * own properties of a parsed object); a key `Object.prototype` also has, or a dot path, goes
 * through `readPath`, which reads own properties only.
 */
export function compileBodyBuilder(parts: BuilderParts, positions: Int32Array | undefined): BodyBuilder {
  const { fields, constants } = parts;
  const lines: string[] = [];
  const objects = new Map<string, string>();
  const objectOf = (segments: readonly string[], depth: number): string => {
    if (depth === 0) return 'body';
    const path = segments.slice(0, depth).join('.');
    let name = objects.get(path);
    if (name === undefined) {
      name = `o${objects.size}`;
      objects.set(path, name);
    }
    return name;
  };
  fields.forEach((field, i) => {
    const read = readExpression(field, i, positions);
    if (read === undefined) {
      lines.push(`return missing(row, ${i});`);
      return;
    }
    const store: string[] = [];
    const last = field.segments.length - 1;
    for (let depth = 1; depth <= last; depth++) {
      const parent = objectOf(field.segments, depth - 1);
      const own = objectOf(field.segments, depth);
      store.push(
        `if (${own} === undefined) ${own} = ${parent}[${literal(field.segments[depth - 1]!)}] = {};`,
      );
    }
    store.push(`${objectOf(field.segments, last)}[${literal(field.segments[last]!)}] = v;`);
    lines.push(
      `raw = ${read};`,
      `if (raw !== undefined && raw !== null && raw !== '') {`,
      `  v = c${i}(raw);`,
      `  if (v !== undefined) {`,
      `    if (v instanceof Failure) return fail(row, ${i}, raw, v);`,
      field.isKey ? '    key = String(v);' : '',
      field.inBody ? `    ${store.join(' ')}` : '',
      '  }',
      '}',
    );
  });
  constants.forEach(([name], i) => {
    lines.push(`body[${literal(name)}] = k${i};`);
  });
  const locals = [...objects.values()].map((name) => `let ${name};`).join(' ');
  const source = [
    'return function buildBody(row) {',
    positions ? 'const cells = row.fields;' : 'const src = row.fields;',
    `const body = {}; let raw; let v; let key; ${locals}`,
    ...lines,
    'row.body = body; row.key = key; return row;',
    '};',
  ].join('\n');
  const names = [
    ...fields.map((_, i) => `c${i}`),
    ...constants.map((_, i) => `k${i}`),
    'Failure',
    'fail',
    'missing',
    'readPath',
    'columns',
  ];
  const values = [
    ...fields.map((field) => field.convert),
    ...constants.map(([, value]) => value),
    ConversionFailure,
    parts.fail,
    parts.missing,
    readPath,
    fields.map((field) => [field.column, field.columnSegments]),
  ];
  return new Function(...names, source)(...values) as BodyBuilder;
}

function readExpression(field: FieldPlan, i: number, positions: Int32Array | undefined): string | undefined {
  if (positions) {
    const at = positions[i]!;
    return at < 0 ? undefined : `cells[${at}]`;
  }
  const plain = field.columnSegments.length === 1 && !(field.column in Object.prototype);
  return plain ? `src[${literal(field.column)}]` : `readPath(src, columns[${i}][0], columns[${i}][1])`;
}
