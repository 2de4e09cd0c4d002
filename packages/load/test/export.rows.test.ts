/** The export's rows and their text: the mapping turned around, dates, flattening, CSV/JSON. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveFieldTypes } from '@pxstream/config';
import { compileMapper, parseDateTime, zoneClock } from '@pxstream/mapper';
import { formatterFor } from '../src/operations/export/formats.js';
import { dateText, flattenRecord, mappingShaper } from '../src/operations/export/records.js';

describe('export rows: the mapping turned around', () => {
  const mapping = {
    identifyId: 'id',
    email: 'mail',
    'location.city': 'city',
    signUpDate: 'signup',
    'customAttributes.renewal': 'renewal',
    'customAttributes.plan': 'plan',
    score: 'score',
    globalUnsubscribe: 'unsub',
    accountId: 'mail',
  };
  const types = resolveFieldTypes('USER', mapping, {
    attributeTypes: { 'customAttributes.renewal': 'DATE_TIME', 'customAttributes.plan': 'STRING' },
  });
  const { columns, shape } = mappingShaper(mapping, types);

  it('has a column per mapped column, in the mapping order, a shared one once', () => {
    assert.deepEqual(columns, ['id', 'mail', 'city', 'signup', 'renewal', 'plan', 'score', 'unsub']);
  });

  it('reads nested fields, keeps types, writes dates (custom ones too) as ISO, leaves out what PX lacks', () => {
    const row = shape({
      identifyId: 'u1',
      email: 'first@example.com',
      accountId: "not written: its column is the email's",
      location: { city: 'Boston' },
      signUpDate: 1_700_000_000_123,
      customAttributes: { renewal: 0, plan: null },
      score: 7,
      globalUnsubscribe: false,
    });
    assert.deepEqual(row, {
      id: 'u1',
      mail: 'first@example.com',
      city: 'Boston',
      signup: '2023-11-14T22:13:20.123Z',
      renewal: '1970-01-01T00:00:00.000Z',
      score: 7,
      unsub: false,
    });
  });

  const cases: Array<[unknown, unknown]> = [
    [1_700_000_000_000, '2023-11-14T22:13:20.000Z'],
    [-1, '1969-12-31T23:59:59.999Z'],
    [Date.parse('0000-01-01T00:00:00Z'), '0000-01-01T00:00:00.000Z'],
    [Date.parse('0000-01-01T00:00:00Z') - 1, Date.parse('0000-01-01T00:00:00Z') - 1],
    [Date.parse('9999-12-31T23:59:59.999Z') + 1, Date.parse('9999-12-31T23:59:59.999Z') + 1],
    ['2024-01-01', '2024-01-01'],
    [1.5, 1.5],
  ];
  for (const [value, expected] of cases) {
    it(`dateText(${JSON.stringify(value)}) is ${JSON.stringify(expected)}, which the mapper reads back`, () => {
      const text = dateText(value);
      assert.deepEqual(text, expected);
      if (typeof value === 'number' && Number.isSafeInteger(value)) {
        assert.equal(parseDateTime(String(text), zoneClock('America/New_York')), value);
      }
    });
  }
});

describe('export rows: every field', () => {
  it('flattens nested objects to dotted paths; arrays and empty objects stay whole', () => {
    assert.deepEqual(
      flattenRecord({
        identifyId: 'u1',
        propertyKeys: ['AP-1'],
        location: { city: 'Boston', coordinates: { latitude: 1.5 } },
        customAttributes: {},
      }),
      {
        identifyId: 'u1',
        propertyKeys: ['AP-1'],
        'location.city': 'Boston',
        'location.coordinates.latitude': 1.5,
        customAttributes: {},
      },
    );
  });
});

describe('export text', () => {
  it('CSV: quoted only where needed, numbers and booleans as read back, nested as JSON', () => {
    const csv = formatterFor('csv', ['id', 'name', 'n', 'ok', 'tags', 'none']);
    assert.equal(csv.head(), 'id,name,n,ok,tags,none\n');
    assert.equal(
      csv.record({ id: 'a,b', name: ' He said "hi"\n', n: 1e21, ok: true, tags: ['x'] }),
      '"a,b"," He said ""hi""\n",1e+21,true,"[""x""]",\n',
    );
    assert.equal(csv.tail(), '');
  });

  it('JSON: one array, empty or not; JSON-lines: one object a line', () => {
    const empty = formatterFor('json', null);
    assert.equal(empty.head() + empty.tail(), '[]\n');
    const json = formatterFor('json', null);
    const text = json.head() + json.record({ a: 1 }) + json.record({ b: '2' }) + json.tail();
    assert.deepEqual(JSON.parse(text), [{ a: 1 }, { b: '2' }]);
    assert.equal(formatterFor('jsonl', null).record({ a: 'é' }), '{"a":"é"}\n');
  });

  it('a CSV row read back by the mapper gives the body PX held', () => {
    const mapping = { identifyId: 'id', score: 'score', globalUnsubscribe: 'unsub', signUpDate: 'signup' };
    const types = resolveFieldTypes('USER', mapping);
    const { columns, shape } = mappingShaper(mapping, types);
    const record = { identifyId: 'u,1', score: 42, globalUnsubscribe: true, signUpDate: 1_700_000_000_001 };
    const line = formatterFor('csv', columns).record(shape(record));
    const cells = ['u,1', '42', 'true', '2023-11-14T22:13:20.001Z'];
    assert.equal(line, `"u,1",42,true,2023-11-14T22:13:20.001Z\n`);
    const mapper = compileMapper({
      type: 'USER',
      mapping,
      fieldTypes: types,
      productKeys: ['AP-1'],
      timezone: 'Asia/Tokyo',
    });
    const mapped = mapper.process({ index: 0, line: 2, fields: cells, columns }) as { body?: unknown };
    assert.deepEqual(mapped.body, { ...record, propertyKeys: ['AP-1'] });
  });
});
