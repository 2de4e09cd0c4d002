import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveFieldTypes } from '@pxstream/config';
import { isRejection, type RowEnvelope } from '@pxstream/core';
import { compileMapper } from '@pxstream/mapper';

const productKeys = ['AP-1'];

function mapperFor(type: 'USER' | 'CUSTOM_EVENT', mapping: Record<string, string>) {
  return compileMapper({ type, mapping, fieldTypes: resolveFieldTypes(type, mapping), productKeys });
}

function body(result: ReturnType<ReturnType<typeof mapperFor>['process']>) {
  assert.ok(!isRejection(result), isRejection(result) ? result.message : '');
  return (result as RowEnvelope).body;
}

describe('mapper: generated body builders', () => {
  it('names that look like code are data: quotes, backslashes, line breaks in columns and attributes', () => {
    const hostile = 'a"];globalThis.pwned=1;//\\\n\u2028`\u0024{x}`';
    const mapping = { identifyId: 'id', [`customAttributes.${hostile.replaceAll('.', '')}`]: hostile };
    const mapper = mapperFor('USER', mapping);
    const csv = mapper.process({ index: 0, line: 2, columns: ['id', hostile], fields: ['u1', 'v1'] });
    const jsonl = mapper.process({ index: 1, line: 2, fields: { id: 'u2', [hostile]: 'v2' } });
    assert.deepEqual(body(csv), {
      identifyId: 'u1',
      customAttributes: { [hostile.replaceAll('.', '')]: 'v1' },
      propertyKeys: productKeys,
    });
    assert.deepEqual(body(jsonl)?.customAttributes, { [hostile.replaceAll('.', '')]: 'v2' });
    assert.equal((globalThis as { pwned?: number }).pwned, undefined);
  });

  it('JSON-lines keys that Object.prototype also has are read as own properties only', () => {
    const mapper = mapperFor('USER', {
      identifyId: 'id',
      'customAttributes.a': 'constructor',
      'customAttributes.b': 'toString',
      'customAttributes.c': '__proto__',
    });
    const absent = body(mapper.process({ index: 0, line: 1, fields: { id: 'u' } }));
    assert.deepEqual(absent, { identifyId: 'u', propertyKeys: productKeys });
    const present = body(
      mapper.process({
        index: 1,
        line: 2,
        fields: JSON.parse('{"id":"u","constructor":"x","__proto__":"p"}'),
      }),
    );
    assert.deepEqual(present?.customAttributes, { a: 'x', c: 'p' });
  });

  it('a second CSV header gets its own column positions', () => {
    const mapper = mapperFor('USER', { identifyId: 'id', email: 'mail' });
    const first = mapper.process({ index: 0, line: 2, columns: ['id', 'mail'], fields: ['u1', 'a@b.co'] });
    const second = mapper.process({ index: 0, line: 2, columns: ['mail', 'id'], fields: ['c@d.co', 'u2'] });
    assert.deepEqual(body(first), { identifyId: 'u1', email: 'a@b.co', propertyKeys: productKeys });
    assert.deepEqual(body(second), { identifyId: 'u2', email: 'c@d.co', propertyKeys: productKeys });
  });

  it('nested objects appear in the order their first value arrives, and only when one does', () => {
    const mapper = mapperFor('USER', {
      identifyId: 'id',
      'location.city': 'city',
      email: 'mail',
      'location.coordinates.latitude': 'lat',
    });
    const columns = ['id', 'city', 'mail', 'lat'];
    const full = body(
      mapper.process({ index: 0, line: 2, columns, fields: ['u', 'Oslo', 'a@b.co', '59.9'] }),
    );
    assert.deepEqual(Object.keys(full ?? {}), ['identifyId', 'location', 'email', 'propertyKeys']);
    assert.deepEqual(full?.location, { city: 'Oslo', coordinates: { latitude: 59.9 } });
    const bare = body(mapper.process({ index: 1, line: 3, columns, fields: ['u', '', '', ''] }));
    assert.deepEqual(bare, { identifyId: 'u', propertyKeys: productKeys });
  });

  it('a mapping that sets a field and fields inside it is refused at compile time', () => {
    assert.throws(
      () =>
        mapperFor('CUSTOM_EVENT', {
          identifyId: 'id',
          eventName: 'e',
          'attributes.a': 'x',
          'attributes.a.b': 'y',
        }),
      (error: { code?: string; fatal?: boolean }) =>
        error.code === 'MAP_CONFLICTING_PATHS' && error.fatal === true,
    );
  });
});
