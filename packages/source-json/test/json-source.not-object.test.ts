import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RAW_BYTES } from '@pxstream/source-json';
import { collect, rejectionView } from './collect.js';

describe('json array source: an element that is not an object is rejected, the rest flows', () => {
  const cases: { name: string; element: string; what: string }[] = [
    { name: 'number', element: '42', what: 'a number' },
    { name: 'negative number', element: '-1.5e-3', what: 'a number' },
    { name: 'string', element: '"text, with \\"quotes\\""', what: 'a string' },
    { name: 'true', element: 'true', what: 'a boolean' },
    { name: 'false', element: 'false', what: 'a boolean' },
    { name: 'null', element: 'null', what: 'null' },
    { name: 'array', element: '[{"a":1}]', what: 'an array' },
    { name: 'empty array', element: '[]', what: 'an array' },
  ];
  for (const c of cases) {
    it(`${c.name} -> JSON_NOT_OBJECT`, async () => {
      const input = `[\n{"n":1},\n${c.element} ,\n{"n":2}\n]`;
      const got = await collect(input);
      assert.equal(got.error, undefined);
      assert.deepEqual(
        got.rows.map((r) => [r.index, r.line, r.fields]),
        [
          [0, 2, { n: 1 }],
          [2, 4, { n: 2 }],
        ],
      );
      assert.deepEqual(got.rejections.map(rejectionView), [{ code: 'JSON_NOT_OBJECT', line: 3, index: 1 }]);
      const [rejection] = got.rejections;
      assert.equal(rejection!.stage, 'parse');
      assert.equal(rejection!.raw, c.element);
      assert.equal(rejection!.message, `element 1 (line 3) is ${c.what}, not a JSON object`);
      assert.equal(rejection!.row.endOffset, `[\n{"n":1},\n${c.element}`.length);
      assert.deepEqual(rejection!.row.fields, {});
      assert.deepEqual(got.events, [0, 1, 2]);
    });
  }

  it('a large non-object element is quoted up to MAX_RAW_BYTES', async () => {
    const element = `[${'1,'.repeat(5000)}1]`;
    const got = await collect(`[${element},{"n":1}]`);
    assert.deepEqual(got.rejections.map(rejectionView), [{ code: 'JSON_NOT_OBJECT', line: 1, index: 0 }]);
    assert.equal(got.rejections[0]!.raw, `${element.slice(0, MAX_RAW_BYTES)}…`);
    assert.deepEqual(got.rows[0]?.fields, { n: 1 });
  });

  it('an array of scalars only: every element rejected, no error', async () => {
    const got = await collect('[1,2,3]');
    assert.equal(got.error, undefined);
    assert.equal(got.rows.length, 0);
    assert.deepEqual(
      got.rejections.map((r) => [r.row.index, r.raw]),
      [
        [0, '1'],
        [1, '2'],
        [2, '3'],
      ],
    );
    assert.deepEqual({ ...got.counts }, { in: 3, out: 0, rejected: 3 });
  });
});
