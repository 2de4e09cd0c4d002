/** Verify's equivalence rules (README, "Verify"), and the compact table of an input's ids. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveFieldTypes } from '@pxstream/config';
import { comparedFields, FieldComparer, valueToken } from '../src/operations/verify/fields.js';
import { IdTable } from '../src/operations/verify/id-table.js';

describe('verify: equivalence of a body value and PX value', () => {
  const cases: Array<[string, Parameters<typeof valueToken>[0], unknown, unknown, boolean]> = [
    ['numbers by value', 'NUMBER', 4, 4.0, true],
    ['a number PX holds as text', 'NUMBER', 72, '72.0', true],
    ['numbers that differ', 'NUMBER', 72, 73, false],
    ['a number against a word', 'NUMBER', 1, 'one', false],
    ['dates as epoch ms', 'DATE_TIME', 1_730_530_320_000, 1_730_530_320_000, true],
    ['a date PX gives as ISO text', 'DATE_TIME', 1_730_530_320_000, '2024-11-02T06:52:00.000Z', true],
    ['dates a millisecond apart', 'DATE_TIME', 1_730_530_320_000, 1_730_530_320_001, false],
    ['booleans', 'BOOLEAN', true, true, true],
    ["Gainsight's loader's boolean text", 'BOOLEAN', false, 'false', true],
    ['booleans that differ', 'BOOLEAN', true, false, false],
    ['strings exactly', 'STRING', 'Ada', 'Ada', true],
    ['strings differ in case', 'STRING', 'Ada', 'ada', false],
    ['strings differ in spaces', 'STRING', 'Ada', 'Ada ', false],
    ['a string against a number', 'STRING', '42', 42, false],
    ['a value PX lacks', 'STRING', 'Ada', undefined, false],
    ['product keys PX holds, and more', 'PRODUCT_KEYS', ['AP-1'], ['AP-0', 'AP-1'], true],
    ['a product key PX lacks', 'PRODUCT_KEYS', ['AP-1'], ['AP-0'], false],
  ];
  for (const [name, type, file, px, equal] of cases) {
    it(`${name}: ${equal ? 'equal' : 'differ'}`, () => {
      const keys = ['AP-1'];
      assert.equal(valueToken(type, file, keys) === valueToken(type, px, keys), equal);
    });
  }
});

describe('verify: a row compared with a record', () => {
  const mapping = {
    identifyId: 'id',
    email: 'email',
    title: 'title',
    score: 'score',
    signUpDate: 'signup',
    'location.city': 'city',
  };
  const comparer = new FieldComparer(
    comparedFields(mapping, resolveFieldTypes('USER', mapping), 'identifyId'),
    ['AP-1'],
  );
  const body = {
    identifyId: 'u1',
    email: 'a@b.c',
    score: 4,
    location: { city: 'Paris' },
    propertyKeys: ['AP-1'],
  };
  const record = {
    identifyId: 'u1',
    email: 'a@b.c',
    title: 'Set in PX',
    score: 5,
    location: { city: 'Paris', countryCode: 'FR' },
    propertyKeys: ['AP-1'],
  };

  it('compares only the fields the row holds, and names those that differ with both values', () => {
    const set = comparer.fieldSetOf(body);
    assert.deepEqual(
      comparer.sets[set]!.map((i) => comparer.fields[i]!.path),
      ['email', 'score', 'location.city', 'propertyKeys'],
    );
    assert.deepEqual(comparer.differences(body, record, set), [{ field: 'score', file: 4, px: 5 }]);
  });

  it('hashes equal values equally, and PX values the row does not hold not at all', () => {
    const set = comparer.fieldSetOf(body);
    const hashes = new Uint32Array(4);
    comparer.hashOf(body, set, hashes, 0);
    comparer.hashOf({ ...record, score: '4' }, set, hashes, 2);
    assert.deepEqual([hashes[0], hashes[1]], [hashes[2], hashes[3]]);
    comparer.hashOf(record, set, hashes, 2);
    assert.notDeepEqual([hashes[0], hashes[1]], [hashes[2], hashes[3]]);
  });

  it("keeps of a differing record only the row's fields", () => {
    const set = comparer.fieldSetOf(body);
    const kept = comparer.project(record, set);
    assert.deepEqual(kept, { email: 'a@b.c', score: 5, 'location.city': 'Paris', propertyKeys: ['AP-1'] });
    assert.deepEqual(comparer.differences(body, kept, set), [{ field: 'score', file: 4, px: 5 }]);
  });

  it("a plan's hash per field names the same fields as the comparison, without the row", () => {
    const set = comparer.fieldSetOf(body);
    const hashes = new Uint32Array(2 + 2 * comparer.sizeOf(set));
    comparer.fieldHashesOf(body, set, hashes, 2);
    assert.deepEqual(comparer.differingFields(record, set, hashes, 2), ['score']);
    assert.deepEqual(comparer.differingFields({ ...record, score: '4.0' }, set, hashes, 2), []);
    const other = { ...record, email: 'A@b.c', location: { city: 'Lyon' }, propertyKeys: ['AP-0'] };
    assert.deepEqual(comparer.differingFields(other, set, hashes, 2), [
      'email',
      'score',
      'location.city',
      'propertyKeys',
    ]);
  });
});

describe('verify: the table of an input ids', () => {
  it('gives each id one ordinal, across growth, and finds none for an id it lacks', () => {
    const table = new IdTable();
    const ids = Array.from({ length: 50_000 }, (_, i) => (i % 2 ? `u-${i}` : `ü/${i}?#`));
    for (const [i, id] of ids.entries()) assert.deepEqual(table.upsert(id), { ordinal: i, added: true });
    assert.deepEqual(table.upsert(ids[123]!), { ordinal: 123, added: false });
    assert.equal(table.size, ids.length);
    for (const [i, id] of ids.entries()) assert.equal(table.get(id), i);
    assert.equal(table.get('u-50000'), -1);
    assert.equal(table.get('U-1'), -1, 'ids are case-sensitive');
  });
});
