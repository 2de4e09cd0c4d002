import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, rowView } from './collect.js';

describe('json array source: well-formed input', () => {
  const cases: { name: string; input: string; rows: { line: number; fields: object }[] }[] = [
    {
      name: 'one line, no spaces (jq -c -s)',
      input: '[{"a":1},{"a":2},{"a":3}]',
      rows: [
        { line: 1, fields: { a: 1 } },
        { line: 1, fields: { a: 2 } },
        { line: 1, fields: { a: 3 } },
      ],
    },
    {
      name: 'one element per line',
      input: '[\n{"a":1},\n{"a":2}\n]\n',
      rows: [
        { line: 2, fields: { a: 1 } },
        { line: 3, fields: { a: 2 } },
      ],
    },
    {
      name: 'pretty-printed (jq -s): the line where each element starts',
      input: '[\n  {\n    "a": 1,\n    "b": {\n      "c": [1, 2]\n    }\n  },\n  {\n    "a": 2\n  }\n]\n',
      rows: [
        { line: 2, fields: { a: 1, b: { c: [1, 2] } } },
        { line: 8, fields: { a: 2 } },
      ],
    },
    {
      name: 'CRLF line breaks and tabs',
      input: '[\r\n\t{"a":1} ,\r\n\t{"a":2}\r\n]\r\n',
      rows: [
        { line: 2, fields: { a: 1 } },
        { line: 3, fields: { a: 2 } },
      ],
    },
    { name: 'UTF-8 BOM', input: '\ufeff[{"a":1}]', rows: [{ line: 1, fields: { a: 1 } }] },
    {
      name: 'whitespace before and after the array',
      input: '\n\n  [ {"a":1} ]  \n\n',
      rows: [{ line: 3, fields: { a: 1 } }],
    },
    {
      name: 'nested objects and arrays kept as they are',
      input: '[{"id":"u1","address":{"city":"Paris","geo":{"lat":1.5}},"tags":["x",[]],"n":null,"t":true}]',
      rows: [
        {
          line: 1,
          fields: {
            id: 'u1',
            address: { city: 'Paris', geo: { lat: 1.5 } },
            tags: ['x', []],
            n: null,
            t: true,
          },
        },
      ],
    },
    {
      name: 'brackets, braces and escaped quotes inside strings',
      input: '[{"a":"]},[{","b":"x\\"}y","c":"\\\\"},{"d":"\\u005d"}]',
      rows: [
        { line: 1, fields: { a: ']},[{', b: 'x"}y', c: '\\' } },
        { line: 1, fields: { d: ']' } },
      ],
    },
    {
      name: 'multi-byte text and escaped line breaks',
      input: '[{"name":"Zoë 🇵🇱","note":"x\\ny"},\n{"b":"李"}]',
      rows: [
        { line: 1, fields: { name: 'Zoë 🇵🇱', note: 'x\ny' } },
        { line: 2, fields: { b: '李' } },
      ],
    },
    {
      name: 'numbers as JSON.parse reads them',
      input: '[{"a":-1.5e3,"b":0,"c":12345678901234567890}]',
      rows: [{ line: 1, fields: { a: -1500, b: 0, c: Number('12345678901234567890') } }],
    },
    {
      name: 'a __proto__ key is an own field, as with JSON.parse',
      input: '[{"__proto__":{"x":1}}]',
      rows: [{ line: 1, fields: JSON.parse('{"__proto__":{"x":1}}') }],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const got = await collect(c.input);
      assert.equal(got.error, undefined);
      assert.deepEqual(
        got.rows.map((r) => ({ line: r.line, fields: r.fields })),
        c.rows,
      );
      assert.deepEqual(
        got.rows.map((r) => r.index),
        c.rows.map((_, i) => i),
      );
      assert.equal(got.rejections.length, 0);
      for (const row of got.rows) assert.equal(row.columns, undefined);
    });
  }

  it('gives the byte offset (BOM and multi-byte characters included) and line just past each element', async () => {
    const input = Buffer.from('\ufeff[\n {"n":"é"},\n {\n  "n": 2\n }\n]');
    const got = await collect(input);
    assert.deepEqual(got.rows.map(rowView), [
      { index: 0, line: 2, fields: { n: 'é' }, endOffset: 3 + 2 + 11, endLine: 2 },
      { index: 1, line: 3, fields: { n: 2 }, endOffset: input.length - 2, endLine: 5 },
    ]);
  });

  it('counts elements read, emitted and rejected', async () => {
    const got = await collect('[{"a":1},[1],{"a":2},null]');
    assert.deepEqual({ ...got.counts }, { in: 4, out: 2, rejected: 2 });
  });

  for (const [name, input] of [
    ['an empty array', '[]'],
    ['an empty array with whitespace', ' [\n\n ] \n'],
    ['empty input', ''],
    ['only a BOM', '\ufeff'],
    ['only whitespace', '\n \r\n\t\n'],
  ] as const) {
    it(`gives zero rows and no error for ${name}`, async () => {
      const got = await collect(input);
      assert.equal(got.error, undefined);
      assert.equal(got.rows.length, 0);
      assert.equal(got.rejections.length, 0);
    });
  }
});
