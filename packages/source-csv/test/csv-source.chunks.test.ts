import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, rowView } from './collect.js';

describe('csv source: tiny chunks give the same result as one chunk', () => {
  const inputs: { name: string; input: string }[] = [
    { name: 'BOM and multi-byte characters', input: '\ufeffnom,ville\r\nZoë,"Kraków, 🇵🇱"\r\n"a""b",€\r\n' },
    { name: 'quotes at chunk edges', input: 'a,b\n"",""""\n"x""",y\n"\n",z\n' },
    { name: 'blank lines and no final line break', input: '\n\na;b\n\r\n1;2\n \n3;4' },
    { name: 'errors', input: 'a,b\n1,"x"y\n2\n3,"open\n4,5\n' },
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
        assert.deepEqual(got.columns, whole.columns);
      }
    });
  }

  it('a multi-byte character split across chunks stays whole', async () => {
    const got = await collect('a\n€\n', {}, 1);
    assert.deepEqual(got.rows[0]?.fields, ['€']);
    assert.equal(got.rows[0]?.endOffset, 2 + 4);
  });
});
