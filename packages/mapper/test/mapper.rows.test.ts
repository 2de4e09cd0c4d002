import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RecordType, resolveFieldTypes } from '@pxstream/config';
import {
  isRejection,
  type JsonObject,
  PxStreamError,
  type Rejection,
  type RowEnvelope,
} from '@pxstream/core';
import { compileMapper } from '@pxstream/mapper';

const USER_MAPPING = {
  identifyId: 'id',
  email: 'email',
  score: 'score',
  globalUnsubscribe: 'unsub',
  signUpDate: 'signup',
  'location.city': 'city',
  'location.coordinates.latitude': 'lat',
  'location.coordinates.longitude': 'lon',
  'customAttributes.plan': 'plan',
};

function mapper(type: RecordType, mapping: Record<string, string>, productKeys = ['AP-1', 'AP-2']) {
  return compileMapper({
    type,
    mapping,
    fieldTypes: resolveFieldTypes(type, mapping, { attributeTypes: { 'attributes.size': 'NUMBER' } }),
    productKeys,
    timezone: 'America/Los_Angeles',
  });
}

let index = 0;
function csvRow(columns: readonly string[], fields: string[]): RowEnvelope {
  index++;
  return { index, line: index + 1, columns, fields };
}
function jsonRow(fields: JsonObject): RowEnvelope {
  index++;
  return { index, line: index, fields };
}
function mapped(result: RowEnvelope | Rejection): RowEnvelope {
  assert.ok(!isRejection(result), isRejection(result) ? result.message : '');
  return result;
}

describe('mapper: CSV rows', () => {
  const m = mapper('USER', USER_MAPPING);
  const columns = ['id', 'email', 'score', 'unsub', 'signup', 'city', 'lat', 'lon', 'plan', 'unused'];

  it('builds nested bodies with PX types and adds propertyKeys', () => {
    const row = mapped(
      m.process(
        csvRow(columns, ['u1', 'a@b.co', '7', 'yes', '2024-03-10', 'Paris', '48.85', '2.35', 'gold', 'x']),
      ),
    );
    assert.deepEqual(row.body, {
      identifyId: 'u1',
      email: 'a@b.co',
      score: 7,
      globalUnsubscribe: true,
      signUpDate: Date.parse('2024-03-10T08:00:00Z'),
      location: { city: 'Paris', coordinates: { latitude: 48.85, longitude: 2.35 } },
      customAttributes: { plan: 'gold' },
      propertyKeys: ['AP-1', 'AP-2'],
    });
    assert.equal(row.key, 'u1');
  });

  it('leaves empty cells out and creates a nested object only when a field has a value', () => {
    const row = mapped(m.process(csvRow(columns, ['u2', '', '', '', '', '', '', '-122.4', '', ''])));
    assert.deepEqual(row.body, {
      identifyId: 'u2',
      location: { coordinates: { longitude: -122.4 } },
      propertyKeys: ['AP-1', 'AP-2'],
    });
    const bare = mapped(m.process(csvRow(columns, ['u3', '', '', '', '', '', '', '', '', ''])));
    assert.deepEqual(bare.body, { identifyId: 'u3', propertyKeys: ['AP-1', 'AP-2'] });
  });

  it('a short (ragged) row: missing cells are empty', () => {
    const row = mapped(m.process(csvRow(columns, ['u4', 'x@y.org'])));
    assert.deepEqual(row.body, { identifyId: 'u4', email: 'x@y.org', propertyKeys: ['AP-1', 'AP-2'] });
  });

  it('one body object per row; propertyKeys is shared and frozen', () => {
    const a = mapped(m.process(csvRow(columns, ['a'])));
    const b = mapped(m.process(csvRow(columns, ['b'])));
    assert.notEqual(a.body, b.body);
    assert.ok(Object.isFrozen(a.body!.propertyKeys));
  });

  it('resolves column positions once per header array, by reference', () => {
    const reordered = ['plan', 'id', 'email', 'score', 'unsub', 'signup', 'city', 'lat', 'lon'];
    const first = mapped(m.process(csvRow(reordered, ['silver', 'r1'])));
    assert.deepEqual(first.body?.customAttributes, { plan: 'silver' });
    const original = mapped(m.process(csvRow(columns, ['o1', '', '', '', '', '', '', '', 'bronze'])));
    assert.deepEqual(original.body?.customAttributes, { plan: 'bronze' });
    assert.equal(original.key, 'o1');
  });

  const rejections: [string, string[], string, string, string][] = [
    [
      'a bad date',
      ['u', '', '', '', '2024-13-45'],
      'MAP_INVALID_DATE',
      'signUpDate',
      'signUpDate: "2024-13-45" (column signup) is not an ISO 8601 date or epoch milliseconds',
    ],
    [
      'a fraction in an integer field',
      ['u', '', '7.5'],
      'MAP_NOT_INTEGER',
      'score',
      'score: "7.5" (column score) is not a whole number',
    ],
    [
      'a bad number',
      ['u', '', '', '', '', '', '1,5'],
      'MAP_INVALID_NUMBER',
      'location.coordinates.latitude',
      'location.coordinates.latitude: "1,5" (column lat) is not a number',
    ],
    [
      'a bad boolean',
      ['u', '', '', 'maybe'],
      'MAP_INVALID_BOOLEAN',
      'globalUnsubscribe',
      'globalUnsubscribe: "maybe" (column unsub) is not a boolean (true/false, yes/no, y/n, 1/0)',
    ],
    [
      'a long bad value, cut short',
      ['u', '', 'x'.repeat(100)],
      'MAP_INVALID_NUMBER',
      'score',
      `score: "${'x'.repeat(60)}…" (column score) is not a number`,
    ],
  ];
  for (const [name, fields, code, field, message] of rejections) {
    it(`rejects ${name}: ${code}`, () => {
      const row = csvRow(columns, fields);
      const result = m.process(row);
      assert.ok(isRejection(result));
      assert.deepEqual(
        { stage: result.stage, code: result.code, field: result.field, message: result.message },
        { stage: 'map', code, field, message },
      );
      assert.equal(result.row, row);
    });
  }
});

describe('mapper: checkColumns', () => {
  const m = mapper('USER', USER_MAPPING);
  it('passes when every mapped column is in the header', () => {
    m.checkColumns(['id', 'email', 'score', 'unsub', 'signup', 'city', 'lat', 'lon', 'plan', 'extra']);
  });
  it('throws a fatal MAP_UNKNOWN_COLUMN listing every missing column', () => {
    assert.throws(
      () => m.checkColumns(['id', 'email', 'score', 'unsub', 'signup', 'lat', 'lon']),
      (error: unknown) => {
        assert.ok(error instanceof PxStreamError);
        assert.equal(error.code, 'MAP_UNKNOWN_COLUMN');
        assert.equal(error.fatal, true);
        assert.equal(
          error.message,
          'mapped columns not in the header: "city" (for location.city), "plan" (for customAttributes.plan)',
        );
        return true;
      },
    );
  });
  it('without checkColumns, a row of a header lacking a column is rejected, not silently emptied', () => {
    const result = m.process(csvRow(['id'], ['u1']));
    assert.ok(isRejection(result));
    assert.equal(result.code, 'MAP_UNKNOWN_COLUMN');
  });
});

describe('mapper: JSON-lines rows', () => {
  const m = mapper('USER', {
    identifyId: 'id',
    email: 'contact.email',
    score: 'score',
    globalUnsubscribe: 'flags.unsub',
    'location.city': 'address.city',
    'location.coordinates.latitude': 'geo.lat',
    signUpDate: 'signup',
    'customAttributes.plan': 'plan.name',
  });
  const cases: [string, JsonObject, JsonObject | string][] = [
    [
      'dot paths, JSON numbers and booleans taken as such',
      {
        id: 42,
        contact: { email: 'j@x.io' },
        score: 9,
        flags: { unsub: false },
        address: { city: 'Oslo' },
        geo: { lat: 59.9 },
        signup: 1710066600000,
        plan: { name: 'gold' },
      },
      {
        identifyId: '42',
        email: 'j@x.io',
        score: 9,
        globalUnsubscribe: false,
        location: { city: 'Oslo', coordinates: { latitude: 59.9 } },
        signUpDate: 1710066600000,
        customAttributes: { plan: 'gold' },
        propertyKeys: ['AP-1', 'AP-2'],
      },
    ],
    [
      'strings converted like CSV cells',
      { id: 'u', score: '10', flags: { unsub: 'Y' }, signup: '2024-11-03T01:30' },
      {
        identifyId: 'u',
        score: 10,
        globalUnsubscribe: true,
        signUpDate: Date.parse('2024-11-03T08:30:00Z'),
        propertyKeys: ['AP-1', 'AP-2'],
      },
    ],
    [
      'null, undefined, "" and missing parents are empty',
      { id: 'u', contact: null, score: null, flags: {}, address: { city: '' }, plan: 'not-an-object' },
      { identifyId: 'u', propertyKeys: ['AP-1', 'AP-2'] },
    ],
    [
      'a literal dotted key is read before the path',
      { id: 'u', 'address.city': 'Lyon', address: { city: 'Nice' } },
      { identifyId: 'u', location: { city: 'Lyon' }, propertyKeys: ['AP-1', 'AP-2'] },
    ],
    [
      'an undefined value is empty',
      { id: 'u', plan: { name: undefined } },
      { identifyId: 'u', propertyKeys: ['AP-1', 'AP-2'] },
    ],
    ['an object for a scalar field is rejected', { id: 'u', score: { v: 1 } }, 'MAP_INVALID_VALUE'],
    ['a JSON fraction for an integer field is rejected', { id: 'u', score: 1.5 }, 'MAP_NOT_INTEGER'],
  ];
  for (const [name, fields, expected] of cases) {
    it(name, () => {
      const result = m.process(jsonRow(fields));
      if (typeof expected === 'string') {
        assert.ok(isRejection(result));
        assert.equal(result.code, expected);
      } else assert.deepEqual(mapped(result).body, expected);
    });
  }
  it('reads own properties only: a "constructor" column is empty, not Object', () => {
    const c = mapper('USER', { identifyId: 'id', firstName: 'constructor' });
    assert.deepEqual(mapped(c.process(jsonRow({ id: 'u' }))).body, {
      identifyId: 'u',
      propertyKeys: ['AP-1', 'AP-2'],
    });
  });
});

describe('mapper: record types', () => {
  it('ACCOUNT: keyed by id, gets propertyKeys', () => {
    const m = mapper('ACCOUNT', { id: 'id', name: 'name', numberOfEmployees: 'n', lastSeenDate: 'seen' });
    const row = mapped(m.process(csvRow(['id', 'name', 'n', 'seen'], ['acme', 'Acme', '250', '0'])));
    assert.deepEqual(row.body, {
      id: 'acme',
      name: 'Acme',
      numberOfEmployees: 250,
      lastSeenDate: 0,
      propertyKeys: ['AP-1', 'AP-2'],
    });
    assert.equal(row.key, 'acme');
  });
  it('CUSTOM_EVENT: userType USER and the first product key, attributes nested', () => {
    const m = mapper('CUSTOM_EVENT', {
      identifyId: 'user',
      eventName: 'event',
      date: 'at',
      'attributes.size': 'size',
      'attributes.cart.item': 'item',
    });
    const row = mapped(
      m.process(
        csvRow(['user', 'event', 'at', 'size', 'item'], ['u1', 'Bought', '2024-01-01T00:00Z', '3', 'hat']),
      ),
    );
    assert.deepEqual(row.body, {
      identifyId: 'u1',
      eventName: 'Bought',
      date: Date.parse('2024-01-01T00:00:00Z'),
      attributes: { size: 3, cart: { item: 'hat' } },
      userType: 'USER',
      propertyKey: 'AP-1',
    });
  });
  it('USER_PREFERENCES: the key goes to row.key only, no product keys', () => {
    const m = mapper('USER_PREFERENCES', { identifyId: 'id', trackUsage: 'track', surveys: 'surveys' }, []);
    const row = mapped(m.process(csvRow(['id', 'track', 'surveys'], ['u/1', 'no', 'TRUE'])));
    assert.deepEqual(row.body, { trackUsage: false, surveys: true });
    assert.equal(row.key, 'u/1');
  });
  it('an empty key leaves row.key undefined (the validator rejects it)', () => {
    const m = mapper('USER', { identifyId: 'id', email: 'email' });
    const row = mapped(m.process(csvRow(['id', 'email'], ['', 'a@b.co'])));
    assert.equal(row.key, undefined);
    assert.equal(row.body?.identifyId, undefined);
  });
  it('fieldTypes may be omitted: resolved offline (custom attributes as STRING)', () => {
    const m = compileMapper({
      type: 'USER',
      mapping: { identifyId: 'id', score: 's', 'customAttributes.n': 'n' },
      productKeys: ['AP-1'],
    });
    const row = mapped(m.process(csvRow(['id', 's', 'n'], ['u', '3', '4'])));
    assert.deepEqual(row.body, {
      identifyId: 'u',
      score: 3,
      customAttributes: { n: '4' },
      propertyKeys: ['AP-1'],
    });
  });
});
