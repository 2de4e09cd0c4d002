import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldTypeInfo } from '@pxstream/config';
import { ConversionFailure, convertValue } from '@pxstream/mapper';
import { DateTime } from 'luxon';

const DATE: FieldTypeInfo = {
  path: 'signUpDate',
  type: 'DATE_TIME',
  integer: false,
  custom: false,
  source: 'model',
};
const utc = (iso: string) => Date.parse(iso);

function convert(raw: unknown, zone: string): unknown {
  return convertValue(raw, DATE, zone);
}

describe('DATE_TIME: wall times read in the config timezone, DST gaps and overlaps', () => {
  const cases: [zone: string, input: string, expected: string, why: string][] = [
    ['America/Los_Angeles', '2024-03-10T01:59:59.999', '2024-03-10T09:59:59.999Z', 'last PST instant'],
    ['America/Los_Angeles', '2024-03-10T02:00', '2024-03-10T10:00:00Z', 'gap start moves to 03:00 PDT'],
    [
      'America/Los_Angeles',
      '2024-03-10T02:30',
      '2024-03-10T10:30:00Z',
      'gap: 02:30 does not exist -> 03:30 PDT',
    ],
    ['America/Los_Angeles', '2024-03-10T03:00', '2024-03-10T10:00:00Z', 'first PDT wall time'],
    ['America/Los_Angeles', '2024-03-10', '2024-03-10T08:00:00Z', 'date only: midnight PST'],
    ['America/Los_Angeles', '2024-11-03T00:59', '2024-11-03T07:59:00Z', 'before the overlap: PDT'],
    ['America/Los_Angeles', '2024-11-03T01:30', '2024-11-03T08:30:00Z', 'overlap: the earlier 01:30 (PDT)'],
    ['America/Los_Angeles', '2024-11-03 01:00:00', '2024-11-03T08:00:00Z', 'overlap start, space separator'],
    ['America/Los_Angeles', '2024-11-03T02:00', '2024-11-03T10:00:00Z', 'after the overlap: PST'],
    [
      'America/Los_Angeles',
      '2024-07-04T12:00:00.5',
      '2024-07-04T19:00:00.500Z',
      'summer, fraction .5 = 500 ms',
    ],
    [
      'America/Los_Angeles',
      '2024-01-15t08:15:30,25',
      '2024-01-15T16:15:30.250Z',
      'lower-case t, comma fraction',
    ],
    ['Europe/Berlin', '2024-03-31T01:59', '2024-03-31T00:59:00Z', 'last CET minute'],
    ['Europe/Berlin', '2024-03-31T02:30', '2024-03-31T01:30:00Z', 'gap: 02:30 -> 03:30 CEST'],
    ['Europe/Berlin', '2024-03-31T03:00', '2024-03-31T01:00:00Z', 'first CEST wall time'],
    ['Europe/Berlin', '2024-10-27T02:30', '2024-10-27T00:30:00Z', 'overlap: the earlier 02:30 (CEST)'],
    ['Europe/Berlin', '2024-10-27T03:00', '2024-10-27T02:00:00Z', 'after the overlap: CET'],
    ['Europe/Berlin', '2024-07-01', '2024-06-30T22:00:00Z', 'date only in summer'],
    ['UTC', '2024-03-10T02:30', '2024-03-10T02:30:00Z', 'UTC has no gap'],
    ['UTC', '2024-02-29', '2024-02-29T00:00:00Z', 'leap day'],
    ['UTC', '1969-07-20T20:17:40', '1969-07-20T20:17:40Z', 'before the epoch'],
    ['UTC', '0050-06-01', '0050-06-01T00:00:00Z', 'a two-digit year is not 1950'],
    ['Asia/Kolkata', '2024-03-10T12:00', '2024-03-10T06:30:00Z', 'half-hour offset'],
  ];
  for (const [zone, input, expected, why] of cases) {
    it(`${zone} ${input} -> ${expected} (${why})`, () => {
      assert.equal(convert(input, zone), utc(expected));
    });
  }
});

describe('DATE_TIME: an offset or Z wins over the config timezone', () => {
  const cases: [string, string][] = [
    ['2024-03-10T02:30Z', '2024-03-10T02:30:00Z'],
    ['2024-03-10T02:30:00z', '2024-03-10T02:30:00Z'],
    ['2024-03-10T02:30:00.123Z', '2024-03-10T02:30:00.123Z'],
    ['2024-03-10T02:30:00.123456789Z', '2024-03-10T02:30:00.123Z'],
    ['2024-03-10T02:30-08:00', '2024-03-10T10:30:00Z'],
    ['2024-11-03T01:30-08:00', '2024-11-03T09:30:00Z'],
    ['2024-11-03T01:30-07:00', '2024-11-03T08:30:00Z'],
    ['2024-06-01T12:00+0530', '2024-06-01T06:30:00Z'],
    ['2024-06-01T12:00+05', '2024-06-01T07:00:00Z'],
    ['2024-06-01 12:00:00+00:00', '2024-06-01T12:00:00Z'],
  ];
  for (const zone of ['America/Los_Angeles', 'Europe/Berlin', 'UTC']) {
    for (const [input, expected] of cases) {
      it(`${input} in ${zone} -> ${expected}`, () => assert.equal(convert(input, zone), utc(expected)));
    }
  }
});

describe('DATE_TIME: epoch milliseconds pass through', () => {
  const cases: [unknown, number][] = [
    ['1710066600000', 1710066600000],
    [' 1710066600000 ', 1710066600000],
    ['0', 0],
    ['-86400000', -86400000],
    [1710066600000, 1710066600000],
    [-1, -1],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${expected} in any zone`, () => {
      assert.equal(convert(input, 'America/Los_Angeles'), expected);
      assert.equal(convert(input, 'UTC'), expected);
    });
  }
});

describe('DATE_TIME: anything else is MAP_INVALID_DATE', () => {
  const bad: unknown[] = [
    '2024-13-45',
    '2024-02-30',
    '2023-02-29',
    '2024-04-31',
    '2024-00-10',
    '24-03-10',
    '2024/03/10',
    '2024-3-10',
    '10/03/2024',
    'March 10, 2024',
    '2024-03-10T24:00',
    '2024-03-10T12:60',
    '2024-03-10T12:00:60',
    '2024-03-10T1:00',
    '2024-03-10T12',
    '2024-03-10T12:00:',
    '2024-03-10T12:00:00.',
    '2024-03-10T12:00:00.1234567890',
    '2024-03-10T12:00+25:00',
    '2024-03-10T12:00+05:0',
    '2024-03-10T12:00 Z',
    '2024-03-10Z',
    '2024-03-10T12:00Zulu',
    '1710066600000.5',
    '1e12',
    '--5',
    '-',
    '9999999999999999999',
    'now',
    'null',
    1.5,
    Number.NaN,
    true,
    { at: 1 },
  ];
  for (const input of bad) {
    it(`${typeof input === 'string' ? JSON.stringify(input) : String(input)}`, () => {
      const result = convert(input, 'Europe/Berlin');
      assert.ok(result instanceof ConversionFailure, `got ${String(result)}`);
      assert.equal(result.code, typeof input === 'object' ? 'MAP_INVALID_VALUE' : 'MAP_INVALID_DATE');
    });
  }
});

describe('DATE_TIME: agrees with luxon wherever the wall time is unambiguous', () => {
  // A deterministic sweep over 1,200 wall times in zones with DST, half-hour and odd offsets.
  const zones = [
    'America/Los_Angeles',
    'Europe/Berlin',
    'Australia/Lord_Howe',
    'America/Sao_Paulo',
    'Asia/Tehran',
  ];
  let seed = 42;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (const zone of zones) {
    it(zone, () => {
      let compared = 0;
      for (let i = 0; i < 240; i++) {
        const y = 1990 + next(50);
        const pad = (v: number) => String(v).padStart(2, '0');
        const text = `${y}-${pad(1 + next(12))}-${pad(1 + next(28))}T${pad(next(24))}:${pad(next(60))}:${pad(next(60))}`;
        const reference = DateTime.fromISO(text, { zone });
        // Skip wall times luxon shifts (gaps) or that occur twice (overlaps).
        const roundTrip = reference.toFormat("yyyy-MM-dd'T'HH:mm:ss") === text;
        const twice = reference.plus({ hours: 1 }).toFormat('HH:mm') === reference.toFormat('HH:mm');
        const earlier = DateTime.fromMillis(reference.toMillis() - 3_600_000, { zone });
        const ambiguous = twice || earlier.toFormat("yyyy-MM-dd'T'HH:mm:ss") === text;
        if (!roundTrip || ambiguous) continue;
        compared++;
        assert.equal(convert(text, zone), reference.toMillis(), `${text} in ${zone}`);
      }
      assert.ok(compared > 200, `compared ${compared}`);
    });
  }
});
