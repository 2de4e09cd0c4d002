import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Collected, collect, errorView, rowView } from './collect.js';

function view(got: Collected) {
  return {
    rows: got.rows.map(rowView),
    rejections: got.rejections.map((r) => [
      r.code,
      r.row.index,
      r.row.line,
      r.row.endOffset,
      r.raw,
      r.message,
    ]),
    error: errorView(got.error),
    message: got.error?.message,
  };
}

describe('json array source: any chunking gives the same result as one chunk', () => {
  const inputs: { name: string; input: string | Buffer; maxRecordSize?: number }[] = [
    { name: 'BOM and multi-byte characters', input: '\ufeff[{"n":"Zoë"},\r\n{"n":"🇵🇱 €"}]\r\n' },
    {
      name: 'escapes and brackets in strings',
      input: '[{"a":"\\"]\\\\","b":"\\u00e9}"},{"c":["\\"",{"d":"["}]}]',
    },
    {
      name: 'pretty-printed',
      input: '[\n  {\n    "a": [\n      1,\n      2\n    ]\n  },\n  {\n    "b": {}\n  }\n]\n',
    },
    { name: 'scalar elements', input: '[1, -2.5e3 ,true,false,null,"s\\"t",[],{"a":1}]' },
    {
      name: 'too large elements',
      input: `[{"a":1},{"b":"${'x'.repeat(40)}"},"${'y'.repeat(40)}",{"c":2}]`,
      maxRecordSize: 30,
    },
    { name: 'a syntax error', input: '[{"a":1},\n{"b":2},\n{"c":3 "d":4},\n{"e":5}]' },
    { name: 'text after the array', input: '[{"a":1},{"b":2}]\n,{"c":3}' },
    { name: 'a truncated array', input: '[{"a":1},\n{"b":"x' },
    { name: 'JSON-lines', input: '{"a":1}\n{"b":2}\n' },
  ];
  for (const { name, input, maxRecordSize } of inputs) {
    it(name, async () => {
      const options = maxRecordSize === undefined ? {} : { maxRecordSize };
      const whole = view(await collect(input, options));
      assert.ok(whole.rows.length + whole.rejections.length > 0 || whole.error !== undefined);
      for (const chunkSize of [1, 2, 3, 7]) {
        assert.deepEqual(view(await collect(input, options, chunkSize)), whole, `chunks of ${chunkSize}`);
      }
    });
  }

  it('a multi-byte character split across chunks stays whole', async () => {
    const got = await collect('[{"e":"€"}]', {}, 1);
    assert.deepEqual(got.rows[0]?.fields, { e: '€' });
    assert.equal(got.rows[0]?.endOffset, 12);
  });

  it('invalid UTF-8 becomes U+FFFD and moves no offset', async () => {
    const input = Buffer.concat([
      Buffer.from('[{"a":"x'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('"},\n{"a":"'),
      Buffer.from([0xff]),
      Buffer.from('"},\n{"a":"€"}]'),
    ]);
    for (const chunkSize of [0, 1, 5]) {
      const got = await collect(input, {}, chunkSize);
      assert.deepEqual(
        got.rows.map((row) => [row.line, row.fields, row.endOffset]),
        [
          [1, { a: 'x\ufffd' }, 12],
          [2, { a: '\ufffd' }, 23],
          [3, { a: '€' }, 36],
        ],
        `chunks of ${chunkSize}`,
      );
    }
  });
});
