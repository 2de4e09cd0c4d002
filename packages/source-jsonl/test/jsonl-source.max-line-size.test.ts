import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_LINE_SIZE, MAX_RAW_BYTES } from '@pxstream/source-jsonl';
import { collect, rejectionView } from './collect.js';

describe('jsonl source: maxLineSize', () => {
  it('a 20 MB line is rejected without being kept, with a short raw text, and the next line flows', async () => {
    const huge = `{"blob":"${'x'.repeat(20 * 1024 * 1024)}"}`;
    const input = Buffer.from(`{"n":1}\n${huge}\n{"n":2}\n`);
    const got = await collect(input, {}, 65536);
    assert.equal(got.error, undefined);
    assert.deepEqual(got.rejections.map(rejectionView), [
      { code: 'JSONL_LINE_TOO_LARGE', line: 2, index: 1 },
    ]);
    assert.ok(Buffer.byteLength(got.rejections[0]!.raw!) <= MAX_RAW_BYTES + 3);
    assert.equal(got.rejections[0]!.row.endOffset, input.length - '{"n":2}\n'.length);
    assert.deepEqual(
      got.rows.map((r) => [r.index, r.line, r.fields]),
      [
        [0, 1, { n: 1 }],
        [2, 3, { n: 2 }],
      ],
    );
  });

  it('the default limit is 1 MiB: a line of exactly 1 MiB passes, one byte more is rejected', async () => {
    assert.equal(DEFAULT_MAX_LINE_SIZE, 1024 * 1024);
    const fits = `{"a":"${'x'.repeat(1024 * 1024 - 8)}"}`;
    const over = `{"a":"${'x'.repeat(1024 * 1024 - 7)}"}`;
    const got = await collect(`${fits}\n${over}\n{"n":2}\n`, {}, 65536);
    assert.deepEqual(got.rejections.map(rejectionView), [
      { code: 'JSONL_LINE_TOO_LARGE', line: 2, index: 1 },
    ]);
    assert.deepEqual(
      got.rows.map((r) => [r.line, Object.keys(r.fields)]),
      [
        [1, ['a']],
        [3, ['n']],
      ],
    );
  });

  const limits: { name: string; line: string; eol: string; rejected: boolean }[] = [
    { name: 'exactly maxLineSize, LF', line: `{"a":"${'a'.repeat(12)}"}`, eol: '\n', rejected: false },
    { name: 'exactly maxLineSize, CRLF', line: `{"a":"${'a'.repeat(12)}"}`, eol: '\r\n', rejected: false },
    { name: 'one byte over, LF', line: `{"a":"${'a'.repeat(13)}"}`, eol: '\n', rejected: true },
    { name: 'one byte over, CRLF', line: `{"a":"${'a'.repeat(13)}"}`, eol: '\r\n', rejected: true },
    { name: 'one byte over, last line', line: `{"a":"${'a'.repeat(13)}"}`, eol: '', rejected: true },
  ];
  for (const c of limits) {
    for (const chunkSize of [0, 1, 3]) {
      it(`${c.name} (chunks of ${chunkSize || 'all'})`, async () => {
        const input = c.eol === '' ? `{"b":1}\n${c.line}` : `${c.line}${c.eol}{"b":1}\n`;
        const got = await collect(input, { maxLineSize: 20 }, chunkSize);
        assert.equal(got.rows.length, c.rejected ? 1 : 2);
        assert.deepEqual(
          got.rejections.map((r) => r.code),
          c.rejected ? ['JSONL_LINE_TOO_LARGE'] : [],
        );
      });
    }
  }
});
