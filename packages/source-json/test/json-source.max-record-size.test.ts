import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_RECORD_SIZE, MAX_RAW_BYTES } from '@pxstream/source-json';
import { collect, errorView, rejectionView, rowView } from './collect.js';

describe('json array source: maxRecordSize', () => {
  it('an element over the limit is rejected, quoted up to the limit, and the next elements flow', async () => {
    const big = `{"b":"${'x'.repeat(40)}"}`;
    const input = `[\n{"a":1},\n${big},\n{"c":3}\n]`;
    for (const chunkSize of [0, 1, 3, 16]) {
      const got = await collect(input, { maxRecordSize: 20 }, chunkSize);
      assert.equal(got.error, undefined);
      assert.deepEqual(got.rejections.map(rejectionView), [
        { code: 'JSON_RECORD_TOO_LARGE', line: 3, index: 1 },
      ]);
      const [rejection] = got.rejections;
      assert.equal(rejection!.raw, `${big.slice(0, 20)}…`);
      assert.equal(rejection!.message, 'element 1 (line 3) is larger than maxRecordSize (20 bytes)');
      assert.equal(rejection!.row.endOffset, input.indexOf(big) + big.length);
      assert.deepEqual(
        got.rows.map((r) => [r.index, r.line, r.fields]),
        [
          [0, 2, { a: 1 }],
          [2, 4, { c: 3 }],
        ],
      );
      assert.deepEqual(got.events, [0, 1, 2]);
      assert.deepEqual({ ...got.counts }, { in: 3, out: 2, rejected: 1 });
    }
  });

  const limits: { name: string; element: string; rejected: boolean }[] = [
    {
      name: 'an object of exactly maxRecordSize bytes',
      element: `{"a":"${'a'.repeat(12)}"}`,
      rejected: false,
    },
    { name: 'an object one byte over', element: `{"a":"${'a'.repeat(13)}"}`, rejected: true },
    {
      name: 'a pretty-printed object one byte over (whitespace counts)',
      element: `{ "a":"${'a'.repeat(12)}"}`,
      rejected: true,
    },
    { name: 'a string element one byte over', element: `"${'s'.repeat(19)}"`, rejected: true },
    { name: 'a number element one byte over', element: '1'.repeat(21), rejected: true },
    { name: 'a number element of exactly maxRecordSize bytes', element: '1'.repeat(20), rejected: false },
  ];
  for (const c of limits) {
    for (const where of ['first', 'last'] as const) {
      it(`${c.name}, ${where} element`, async () => {
        const input = where === 'first' ? `[${c.element},{"n":1}]` : `[{"n":1},\n${c.element}]`;
        for (const chunkSize of [0, 1, 3]) {
          const got = await collect(input, { maxRecordSize: 20 }, chunkSize);
          assert.equal(got.error, undefined);
          const codes = got.rejections.map((r) => r.code);
          if (c.rejected) assert.deepEqual(codes, ['JSON_RECORD_TOO_LARGE']);
          else assert.ok(!codes.includes('JSON_RECORD_TOO_LARGE'));
          assert.deepEqual(got.rows.at(where === 'first' ? -1 : 0)?.fields, { n: 1 });
        }
      });
    }
  }

  it('several elements over the limit in a row, across and inside chunks', async () => {
    const big = (n: number) => `{"v":"${String(n).repeat(50)}"}`;
    const input = `[${big(1)},${big(2)},{"a":1},${big(3)},${big(4)}]`;
    for (const chunkSize of [0, 1, 7, 60]) {
      const got = await collect(input, { maxRecordSize: 30 }, chunkSize);
      assert.equal(got.error, undefined);
      assert.deepEqual(
        got.rejections.map((r) => [r.row.index, r.row.endOffset, r.raw]),
        [1, 2, 3, 4].map((n, i) => [
          i < 2 ? i : i + 1,
          input.indexOf(big(n)) + big(n).length,
          `${big(n).slice(0, 30)}…`,
        ]),
        `chunks of ${chunkSize}`,
      );
      assert.deepEqual(
        got.rows.map((r) => [r.index, r.fields]),
        [[2, { a: 1 }]],
      );
    }
  });

  it('a syntax error right after a skipped element is placed exactly', async () => {
    const input = `[{"a":"${'x'.repeat(100)}"}\n{"b":1}]`;
    for (const chunkSize of [0, 1, 64]) {
      const got = await collect(input, { maxRecordSize: 50 }, chunkSize);
      assert.deepEqual(got.rejections.map(rejectionView), [
        { code: 'JSON_RECORD_TOO_LARGE', line: 1, index: 0 },
      ]);
      assert.deepEqual(errorView(got.error), { code: 'JSON_INVALID_JSON', line: 2, fatal: true });
      assert.equal(
        got.error!.message,
        `invalid JSON on line 2 (byte ${input.indexOf('{"b"')}): expected ','`,
      );
    }
  });

  it('an element over the limit that the input cuts short is JSON_TRUNCATED', async () => {
    const got = await collect(`[{"a":1},\n{"b":"${'x'.repeat(100)}`, { maxRecordSize: 50 }, 16);
    assert.deepEqual(errorView(got.error), { code: 'JSON_TRUNCATED', line: 2, fatal: true });
    assert.deepEqual(got.rejections, []);
  });

  it('a 20 MB element is rejected with a raw text of MAX_RAW_BYTES, and the next flows', async () => {
    const big = `{"blob":"${'x'.repeat(20 * 1024 * 1024)}"}`;
    const input = Buffer.from(`[{"n":1},${big},{"n":2}]`);
    const got = await collect(input, {}, 65536);
    assert.equal(got.error, undefined);
    assert.deepEqual(got.rejections.map(rejectionView), [
      { code: 'JSON_RECORD_TOO_LARGE', line: 1, index: 1 },
    ]);
    assert.equal(got.rejections[0]!.raw, `${big.slice(0, MAX_RAW_BYTES)}…`);
    assert.deepEqual(
      got.rows.map((r) => [r.index, r.fields]),
      [
        [0, { n: 1 }],
        [2, { n: 2 }],
      ],
    );
  });

  it('the default limit is 1 MiB: an element of exactly 1 MiB passes, one byte more is rejected', async () => {
    assert.equal(DEFAULT_MAX_RECORD_SIZE, 1024 * 1024);
    const fits = `{"a":"${'x'.repeat(1024 * 1024 - 8)}"}`;
    const over = `{"a":"${'x'.repeat(1024 * 1024 - 7)}"}`;
    const got = await collect(`[${fits},${over},{"n":2}]`, {}, 65536);
    assert.deepEqual(got.rejections.map(rejectionView), [
      { code: 'JSON_RECORD_TOO_LARGE', line: 1, index: 1 },
    ]);
    assert.deepEqual(
      got.rows.map((r) => [r.index, Object.keys(r.fields)]),
      [
        [0, ['a']],
        [2, ['n']],
      ],
    );
    assert.equal(rowView(got.rows[0]!).endOffset, 1 + fits.length);
  });
});
