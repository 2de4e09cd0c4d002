import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveFieldTypes } from '@pxstream/config';
import { isRejection, type RowEnvelope } from '@pxstream/core';
import { compileMapper, setPath } from '@pxstream/mapper';

describe('mapper: dot paths only ever build the body', () => {
  // Names an Object inherits (`constructor`, `toString`...) are fine event property names:
  // walking into them must create the body's own object, not write into a built-in.
  const names = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'];
  for (const name of names) {
    it(`attributes.${name}.x lands in the body, not on a built-in`, () => {
      const mapping = { identifyId: 'u', eventName: 'e', [`attributes.${name}.x`]: 'x' };
      const mapper = compileMapper({
        type: 'CUSTOM_EVENT',
        mapping,
        fieldTypes: resolveFieldTypes('CUSTOM_EVENT', mapping),
        productKeys: ['AP-1'],
      });
      const row: RowEnvelope = { index: 0, line: 2, columns: ['u', 'e', 'x'], fields: ['u1', 'E', 'v'] };
      const result = mapper.process(row);
      assert.ok(!isRejection(result));
      assert.equal(JSON.stringify(result.body?.attributes), JSON.stringify({ [name]: { x: 'v' } }));
      assert.equal(Object.hasOwn(Object, 'x'), false);
      assert.equal(Object.hasOwn(Object.prototype[name as 'toString'], 'x'), false);
    });
  }

  it('setPath reuses an own nested object', () => {
    const body = {};
    setPath(body, ['location', 'city'], 'Oslo');
    setPath(body, ['location', 'coordinates', 'latitude'], 59.9);
    assert.deepEqual(body, { location: { city: 'Oslo', coordinates: { latitude: 59.9 } } });
  });
});
