import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_RECORD_SIZE, MAX_RAW_BYTES } from '@pxstream/source-csv';
import { collect, rejectionView } from './collect.js';

function goodLines(from: number, count: number): string {
  let text = '';
  for (let i = from; i < from + count; i++) text += `${i},name${i}\n`;
  return text;
}

describe('csv source: maxRecordSize bounds memory and parsing resynchronises', () => {
  it('an unclosed quote near the top: only its line is rejected, every following row is read again', async () => {
    const input = `id,name\n1,"oops\n${goodLines(2, 5000)}`;
    for (const chunkSize of [0, 4096, 333]) {
      const got = await collect(input, { maxRecordSize: 1024 }, chunkSize);
      assert.equal(got.error, undefined);
      assert.deepEqual(got.rejections.map(rejectionView), [
        { code: 'CSV_QUOTE_NOT_CLOSED', line: 2, index: 0 },
      ]);
      assert.equal(got.rejections[0]!.raw, '1,"oops');
      assert.equal(got.rejections[0]!.row.endOffset, 'id,name\n1,"oops\n'.length);
      assert.equal(got.rows.length, 5000);
      assert.deepEqual(got.rows[0]!.fields, ['2', 'name2']);
      assert.equal(got.rows[0]!.line, 3);
      assert.equal(got.rows[4999]!.line, 5002);
      assert.equal(got.rows[4999]!.index, 5000);
    }
  });

  it('an unclosed quote that closes much later (a stray quote) does not swallow the rows between', async () => {
    const input = `id,name\n1,"oops\n${goodLines(2, 200)}3,"late" quote\n4,end\n`;
    for (const maxRecordSize of [512, undefined]) {
      const got = await collect(input, maxRecordSize === undefined ? {} : { maxRecordSize });
      assert.deepEqual(got.rejections.map(rejectionView), [
        { code: 'CSV_QUOTE_NOT_CLOSED', line: 2, index: 0 },
        { code: 'CSV_INVALID_CLOSING_QUOTE', line: 203, index: 201 },
      ]);
      assert.equal(got.rows.length, 201);
      assert.deepEqual(got.rows[0]!.fields, ['2', 'name2']);
      assert.equal(got.rows[0]!.line, 3);
      assert.deepEqual(got.rows[199]!.fields, ['201', 'name201']);
      assert.deepEqual(got.rows.at(-1)!.fields, ['4', 'end']);
      assert.equal(got.rows.at(-1)!.line, 204);
    }
  });

  it('a 20 MB field is rejected with a short raw text and the next row flows', async () => {
    const huge = Buffer.alloc(20 * 1024 * 1024, 'x');
    const input = Buffer.concat([Buffer.from('id,name\n1,'), huge, Buffer.from('\n2,ok\n')]);
    const got = await collect(input, {}, 65536);
    assert.equal(got.error, undefined);
    assert.deepEqual(got.rejections.map(rejectionView), [
      { code: 'CSV_RECORD_TOO_LARGE', line: 2, index: 0 },
    ]);
    assert.ok(Buffer.byteLength(got.rejections[0]!.raw!) <= MAX_RAW_BYTES + 3);
    assert.equal(got.rejections[0]!.row.endOffset, input.length - '2,ok\n'.length);
    assert.deepEqual(
      got.rows.map((r) => [r.index, r.line, r.fields]),
      [[1, 3, ['2', 'ok']]],
    );
  });

  it('a huge quoted field on one line is skipped to the next line break', async () => {
    const input = `id,name\n1,"${'y'.repeat(5000)}"\n2,ok\n`;
    for (const chunkSize of [0, 1000, 7]) {
      const got = await collect(input, { maxRecordSize: 1000 }, chunkSize);
      assert.deepEqual(got.rejections.map(rejectionView), [
        { code: 'CSV_RECORD_TOO_LARGE', line: 2, index: 0 },
      ]);
      assert.deepEqual(
        got.rows.map((r) => [r.line, r.fields]),
        [[3, ['2', 'ok']]],
      );
    }
  });

  it('the default limit is 1 MiB: a record of exactly 1 MiB passes, one byte more is rejected', async () => {
    assert.equal(DEFAULT_MAX_RECORD_SIZE, 1024 * 1024);
    const fits = `1,${'a'.repeat(1024 * 1024 - 2)}`;
    const input = `id,name\n${fits}\n${fits}a\n2,ok\n`;
    const got = await collect(input, {}, 65536);
    assert.deepEqual(got.rejections.map(rejectionView), [
      { code: 'CSV_RECORD_TOO_LARGE', line: 3, index: 1 },
    ]);
    assert.deepEqual(
      got.rows.map((r) => [r.line, ...(r.fields as string[]).map((cell) => cell.length)]),
      [
        [2, 1, 1024 * 1024 - 2],
        [4, 1, 2],
      ],
    );
  });

  const limits: { name: string; record: string; eol: string; rejected: boolean }[] = [
    { name: 'exactly maxRecordSize, LF', record: `1,${'a'.repeat(18)}`, eol: '\n', rejected: false },
    { name: 'exactly maxRecordSize, CRLF', record: `1,${'a'.repeat(18)}`, eol: '\r\n', rejected: false },
    { name: 'one byte over, LF', record: `1,${'a'.repeat(19)}`, eol: '\n', rejected: true },
    { name: 'one byte over, CRLF', record: `1,${'a'.repeat(19)}`, eol: '\r\n', rejected: true },
    {
      name: 'one byte over, last record without line break',
      record: `1,${'a'.repeat(19)}`,
      eol: '',
      rejected: true,
    },
  ];
  for (const c of limits) {
    for (const chunkSize of [0, 1, 3]) {
      it(`${c.name} (chunks of ${chunkSize || 'all'})`, async () => {
        const got = await collect(`a,b${c.eol || '\n'}${c.record}${c.eol}`, { maxRecordSize: 20 }, chunkSize);
        assert.equal(got.rows.length, c.rejected ? 0 : 1);
        assert.deepEqual(
          got.rejections.map((r) => r.code),
          c.rejected ? ['CSV_RECORD_TOO_LARGE'] : [],
        );
      });
    }
  }
});
