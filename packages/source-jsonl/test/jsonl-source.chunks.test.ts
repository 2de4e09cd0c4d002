import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, rowView } from './collect.js';

describe('jsonl source: tiny chunks give the same result as one chunk', () => {
  const inputs: { name: string; input: string }[] = [
    { name: 'BOM and multi-byte characters', input: '\ufeff{"n":"Zoë"}\r\n{"n":"🇵🇱 €"}\r\n' },
    { name: 'blank lines and no final line break', input: '\n\r\n{"a":1}\n \n{"a":2}' },
    { name: 'errors', input: '{"a":1}\n{"a":\n[]\n{"a":2}\n' },
  ];
  for (const { name, input } of inputs) {
    it(name, async () => {
      const whole = await collect(input);
      assert.ok(whole.rows.length > 0);
      for (const chunkSize of [1, 2, 3]) {
        const got = await collect(input, {}, chunkSize);
        assert.deepEqual(got.rows.map(rowView), whole.rows.map(rowView), `chunks of ${chunkSize}`);
        assert.deepEqual(
          got.rejections.map((r) => [r.code, r.row.line, r.row.index, r.raw, r.row.endOffset]),
          whole.rejections.map((r) => [r.code, r.row.line, r.row.index, r.raw, r.row.endOffset]),
        );
      }
    });
  }

  it('a multi-byte character split across chunks stays whole', async () => {
    const got = await collect('{"e":"€"}\n', {}, 1);
    assert.deepEqual(got.rows[0]?.fields, { e: '€' });
    assert.equal(got.rows[0]?.endOffset, 12);
  });

  it('invalid UTF-8 stays inside its own line: later lines keep their text, numbers and offsets', async () => {
    const input = Buffer.concat([
      Buffer.from('{"a":"x'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('"}\n{"a":"'),
      Buffer.from([0xff]),
      Buffer.from('"}\r\n{"a":"€"}\n'),
    ]);
    for (const chunkSize of [0, 1, 5]) {
      const got = await collect(input, {}, chunkSize);
      assert.deepEqual(
        got.rows.map((row) => [row.line, row.fields, row.endOffset]),
        [
          [1, { a: 'x\ufffd' }, 12],
          [2, { a: '\ufffd' }, 23],
          [3, { a: '€' }, 35],
        ],
        `chunks of ${chunkSize}`,
      );
    }
  });
});
