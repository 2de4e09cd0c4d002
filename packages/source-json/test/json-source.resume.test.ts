import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RowEnvelope } from '@pxstream/core';
import { jsonArrayResumeAfter } from '@pxstream/source-json';
import { collect, errorView, rejectionView, rowView } from './collect.js';

describe('json array source: a run resumes exactly after any element', () => {
  const inputs: { name: string; input: Buffer }[] = [
    {
      name: 'pretty-printed, with a BOM, rejections and multi-byte text',
      input: Buffer.from(
        '\ufeff[\n  {\n    "a": "é"\n  },\n  42,\n\n  {"a": {"b": [1,\n 2]}} ,\r\n  "x",\n  {"a": 5}\n]\n',
      ),
    },
    { name: 'one line', input: Buffer.from('[{"a":1},{"a":"€"},null,{"a":[{}]},{"a":5}]') },
    {
      name: 'an element over the limit',
      input: Buffer.from(`[\n{"a":1},\n{"big":"${'x'.repeat(80)}"},\n{"a":3}\n]`),
    },
  ];
  for (const { name, input } of inputs) {
    it(name, async () => {
      const options = { maxRecordSize: 60 };
      const full = await collect(input, options);
      assert.equal(full.error, undefined);
      const finished: RowEnvelope[] = [...full.rows, ...full.rejections.map((r) => r.row)].sort(
        (a, b) => a.index - b.index,
      );
      assert.ok(finished.length >= 3);
      for (const after of finished) {
        const point = jsonArrayResumeAfter(after);
        for (const chunkSize of [0, 1]) {
          const rest = await collect(
            input.subarray(point.byteOffset),
            { ...options, resumeFrom: point },
            chunkSize,
          );
          assert.equal(rest.error, undefined);
          assert.deepEqual(
            rest.rows.map(rowView),
            full.rows.filter((r) => r.index > after.index).map(rowView),
            `resume after element ${after.index}`,
          );
          assert.deepEqual(
            rest.rejections.map((r) => [r.code, r.row.index, r.row.line, r.row.endOffset, r.raw]),
            full.rejections
              .filter((r) => r.row.index > after.index)
              .map((r) => [r.code, r.row.index, r.row.line, r.row.endOffset, r.raw]),
          );
        }
      }
    });
  }

  it('gives the line where the element ends, the next index and the offset past it', async () => {
    const got = await collect('[\n{\n"a": 1\n}, {"a":2}]');
    assert.deepEqual(jsonArrayResumeAfter(got.rows[0]!), { line: 4, index: 1, byteOffset: 12 });
    assert.deepEqual(jsonArrayResumeAfter(got.rows[1]!), { line: 4, index: 2, byteOffset: 21 });
  });

  it('refuses a row from another source', () => {
    assert.throws(() => jsonArrayResumeAfter({ index: 0, line: 1, fields: {}, endOffset: 8 }), TypeError);
  });

  it('places a syntax error after the resume point on its line', async () => {
    const input = Buffer.from('[\n{"a":1},\n{"a":2}\n{"a":3}]');
    const full = await collect(input);
    const point = jsonArrayResumeAfter(full.rows[0]!);
    const rest = await collect(input.subarray(point.byteOffset), { resumeFrom: point });
    assert.deepEqual(errorView(rest.error), errorView(full.error));
    assert.equal(rest.error!.message, full.error!.message);
    assert.deepEqual(rest.rows.map(rowView), full.rows.slice(1).map(rowView));
  });

  it('a resume point past the last element reads nothing more', async () => {
    const input = Buffer.from('[{"a":1}]\n');
    const full = await collect(input);
    const point = jsonArrayResumeAfter(full.rows[0]!);
    const rest = await collect(input.subarray(point.byteOffset), { resumeFrom: point });
    assert.equal(rest.error, undefined);
    assert.deepEqual(rest.rows, []);
    assert.deepEqual(rest.rejections.map(rejectionView), []);
  });

  it('a resumed input cut short is JSON_TRUNCATED', async () => {
    const rest = await collect(',{"a":2},', { resumeFrom: { line: 1, index: 1, byteOffset: 8 } });
    assert.deepEqual(rest.rows.map(rowView), [
      { index: 1, line: 1, fields: { a: 2 }, endOffset: 16, endLine: 1 },
    ]);
    assert.deepEqual(errorView(rest.error), { code: 'JSON_TRUNCATED', line: 1, fatal: true });
  });
});
