import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveFieldTypes } from '@pxstream/config';
import { isRejection } from '@pxstream/core';
import { compileMapper } from '@pxstream/mapper';

describe('mapper: compiled once, not per row', () => {
  const mapping: Record<string, string> = { identifyId: 'id', email: 'email', 'location.city': 'city' };
  const compile = () =>
    compileMapper({
      type: 'USER',
      mapping: { ...mapping },
      fieldTypes: resolveFieldTypes('USER', mapping),
      productKeys: ['AP-1'],
    });

  it('column positions are looked up once per header, whatever the number of rows', () => {
    const mapper = compile();
    const columns = ['city', 'id', 'email'];
    let lookups = 0;
    const indexOf = columns.indexOf;
    columns.indexOf = function (this: string[], ...args: Parameters<typeof indexOf>) {
      lookups++;
      return indexOf.apply(this, args);
    };
    for (let i = 0; i < 1000; i++) {
      const result = mapper.process({ index: i, line: i + 2, columns, fields: ['Oslo', `u${i}`, ''] });
      assert.ok(!isRejection(result));
      assert.equal(result.key, `u${i}`);
    }
    assert.ok(lookups <= Object.keys(mapping).length, `${lookups} lookups for 1000 rows`);
  });

  it('the mapping is read at compile time: changing it afterwards changes nothing', () => {
    const source = { ...mapping };
    const mapper = compileMapper({
      type: 'USER',
      mapping: source,
      fieldTypes: resolveFieldTypes('USER', source),
      productKeys: ['AP-1'],
    });
    source.email = 'city';
    const result = mapper.process({
      index: 0,
      line: 2,
      columns: ['id', 'email', 'city'],
      fields: ['u', 'a@b.co', 'Oslo'],
    });
    assert.ok(!isRejection(result));
    assert.equal(result.body?.email, 'a@b.co');
  });
});
