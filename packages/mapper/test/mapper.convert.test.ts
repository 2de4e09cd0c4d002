import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldTypeInfo, PxType } from '@pxstream/config';
import { ConversionFailure, convertValue } from '@pxstream/mapper';

const info = (type: PxType, integer = false): FieldTypeInfo => ({
  path: 'f',
  type,
  integer,
  custom: false,
  source: 'model',
});

function run(raw: unknown, type: PxType, integer = false): unknown {
  const result = convertValue(raw, info(type, integer), 'UTC');
  return result instanceof ConversionFailure ? result.code : result;
}

type Row = [input: unknown, expected: unknown];

const tables: [name: string, type: PxType, integer: boolean, rows: Row[]][] = [
  [
    'NUMBER',
    'NUMBER',
    false,
    [
      ['12', 12],
      ['-3.5', -3.5],
      ['+4', 4],
      ['.5', 0.5],
      ['5.', 5],
      ['1e3', 1000],
      ['2.5E-2', 0.025],
      ['  42 ', 42],
      ['0', 0],
      ['-0.0', -0],
      [7.25, 7.25],
      [0, 0],
      ['   ', undefined],
      ['', undefined],
      [null, undefined],
      ['NaN', 'MAP_INVALID_NUMBER'],
      ['Infinity', 'MAP_INVALID_NUMBER'],
      ['-Infinity', 'MAP_INVALID_NUMBER'],
      ['1,5', 'MAP_INVALID_NUMBER'],
      ['1 000', 'MAP_INVALID_NUMBER'],
      ['12abc', 'MAP_INVALID_NUMBER'],
      ['0x10', 'MAP_INVALID_NUMBER'],
      ['1_000', 'MAP_INVALID_NUMBER'],
      ['1e999', 'MAP_INVALID_NUMBER'],
      ['.', 'MAP_INVALID_NUMBER'],
      ['-', 'MAP_INVALID_NUMBER'],
      ['e5', 'MAP_INVALID_NUMBER'],
      [Number.POSITIVE_INFINITY, 'MAP_INVALID_NUMBER'],
      [true, 'MAP_INVALID_NUMBER'],
      [[1], 'MAP_INVALID_VALUE'],
    ],
  ],
  [
    'NUMBER (integer)',
    'NUMBER',
    true,
    [
      ['12', 12],
      ['-7', -7],
      ['12.0', 12],
      ['1e3', 1000],
      [99, 99],
      ['12.5', 'MAP_NOT_INTEGER'],
      ['0.1', 'MAP_NOT_INTEGER'],
      [3.2, 'MAP_NOT_INTEGER'],
      ['1e300', 'MAP_INVALID_NUMBER'],
      ['abc', 'MAP_INVALID_NUMBER'],
    ],
  ],
  [
    'BOOLEAN',
    'BOOLEAN',
    false,
    [
      ['true', true],
      ['TRUE', true],
      [' Yes ', true],
      ['y', true],
      ['Y', true],
      ['1', true],
      ['false', false],
      ['False', false],
      ['no', false],
      ['N', false],
      ['0', false],
      [true, true],
      [false, false],
      [1, true],
      [0, false],
      ['  ', undefined],
      ['t', 'MAP_INVALID_BOOLEAN'],
      ['on', 'MAP_INVALID_BOOLEAN'],
      ['2', 'MAP_INVALID_BOOLEAN'],
      ['yes please', 'MAP_INVALID_BOOLEAN'],
      [2, 'MAP_INVALID_BOOLEAN'],
      [{}, 'MAP_INVALID_VALUE'],
    ],
  ],
  [
    'STRING',
    'STRING',
    false,
    [
      ['hello', 'hello'],
      ['  padded  ', '  padded  '],
      ['   ', '   '],
      ['ünïcødé ✓', 'ünïcødé ✓'],
      ['', undefined],
      [12345, '12345'],
      [true, 'true'],
      [{ a: 1 }, 'MAP_INVALID_VALUE'],
      [['a'], 'MAP_INVALID_VALUE'],
      // Typed values from object inputs (a database cursor).
      [new Date(Date.UTC(2024, 2, 10, 8, 30)), '2024-03-10T08:30:00.000Z'],
      [new Date(Number.NaN), 'MAP_INVALID_DATE'],
      [42n, '42'],
    ],
  ],
  [
    'DATE_TIME from typed values',
    'DATE_TIME',
    false,
    [
      [new Date(Date.UTC(2024, 2, 10, 8, 30)), Date.UTC(2024, 2, 10, 8, 30)],
      [new Date(Number.NaN), 'MAP_INVALID_DATE'],
      [1_700_000_000_000, 1_700_000_000_000],
      [null, undefined],
    ],
  ],
  [
    'NUMBER from a bigint',
    'NUMBER',
    true,
    [
      [12n, 12],
      [2n ** 60n, 'MAP_INVALID_NUMBER'],
    ],
  ],
];

for (const [name, type, integer, rows] of tables) {
  describe(`convertValue ${name}`, () => {
    for (const [input, expected] of rows) {
      const shown = (value: unknown) =>
        typeof value === 'bigint'
          ? `${value}n`
          : value instanceof Date
            ? `Date(${value.getTime()})`
            : JSON.stringify(value);
      it(`${shown(input)} -> ${shown(expected) ?? 'omitted'}`, () => {
        assert.deepEqual(run(input, type, integer), expected);
      });
    }
  });
}
