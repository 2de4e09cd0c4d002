import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect } from './collect.js';

describe('csv source: line breaks other than LF and CRLF', () => {
  const fatal: { name: string; input: string; options?: { maxRecordSize: number } }[] = [
    { name: 'CR alone (classic Mac) ends every line', input: 'id,name\r1,Ann\r2,Bob\r' },
    { name: 'CR alone, semicolons and a BOM', input: '\ufeffid;name\r1;Ann\r' },
    {
      name: 'CR alone in a file larger than maxRecordSize',
      input: `id,name\r${'1,Ann\r'.repeat(20)}`,
      options: { maxRecordSize: 40 },
    },
  ];
  for (const c of fatal) {
    it(`${c.name}: a fatal CSV_UNSUPPORTED_LINE_BREAK, not zero rows`, async () => {
      const got = await collect(c.input, c.options);
      assert.equal(got.error?.code, 'CSV_UNSUPPORTED_LINE_BREAK');
      assert.equal(got.error?.fatal, true);
      assert.match(got.error!.message, /line 1/);
      assert.doesNotMatch(got.error!.message, /\n|\r/);
      assert.equal(got.rows.length, 0);
      assert.equal(got.headers.length, 0);
    });
  }

  it('a CRLF inside a quoted header name is not mistaken for one', async () => {
    const got = await collect('"id\r\nkey",name\r\n1,Ann\r\n');
    assert.equal(got.error, undefined);
    assert.deepEqual(got.columns, ['id\r\nkey', 'name']);
  });

  for (const chunkSize of [0, 1]) {
    it(`a CR at the very end of the input is not part of the last value (chunks of ${chunkSize || 'all'})`, async () => {
      const got = await collect('id,name\r\n1,Ann\r\n2,Bob\r', {}, chunkSize);
      assert.equal(got.error, undefined);
      assert.deepEqual(
        got.rows.map((r) => r.fields),
        [
          ['1', 'Ann'],
          ['2', 'Bob'],
        ],
      );
      assert.equal(got.rejections.length, 0);
    });
  }

  it('a header-only file ending in CR', async () => {
    const got = await collect('id,name\r');
    assert.equal(got.error, undefined);
    assert.deepEqual(got.columns, ['id', 'name']);
  });
});
