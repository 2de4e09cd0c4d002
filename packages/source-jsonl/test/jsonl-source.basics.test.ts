import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, rowView } from './collect.js';

describe('jsonl source: well-formed input', () => {
  const cases: { name: string; input: string; rows: { line: number; fields: object }[] }[] = [
    {
      name: 'LF',
      input: '{"a":1}\n{"a":2}\n',
      rows: [
        { line: 1, fields: { a: 1 } },
        { line: 2, fields: { a: 2 } },
      ],
    },
    {
      name: 'CRLF',
      input: '{"a":1}\r\n{"a":2}\r\n',
      rows: [
        { line: 1, fields: { a: 1 } },
        { line: 2, fields: { a: 2 } },
      ],
    },
    {
      name: 'no final line break',
      input: '{"a":1}\n{"a":2}',
      rows: [
        { line: 1, fields: { a: 1 } },
        { line: 2, fields: { a: 2 } },
      ],
    },
    { name: 'UTF-8 BOM stripped', input: '\ufeff{"a":1}\n', rows: [{ line: 1, fields: { a: 1 } }] },
    {
      name: 'nested objects kept as is',
      input: '{"id":"u1","address":{"city":"Paris","geo":{"lat":1.5}},"tags":["x"]}\n',
      rows: [{ line: 1, fields: { id: 'u1', address: { city: 'Paris', geo: { lat: 1.5 } }, tags: ['x'] } }],
    },
    {
      name: 'blank and whitespace-only lines skipped but counted',
      input: '\n{"a":1}\n   \n\t\r\n\r\n{"a":2}\n\n',
      rows: [
        { line: 2, fields: { a: 1 } },
        { line: 6, fields: { a: 2 } },
      ],
    },
    { name: 'surrounding spaces', input: '  {"a":1}  \n', rows: [{ line: 1, fields: { a: 1 } }] },
    {
      name: 'multi-byte text',
      input: '{"name":"Zoë 🇵🇱"}\n',
      rows: [{ line: 1, fields: { name: 'Zoë 🇵🇱' } }],
    },
    {
      name: 'escaped line break inside a string',
      input: '{"a":"x\\ny"}\n{"b":1}\n',
      rows: [
        { line: 1, fields: { a: 'x\ny' } },
        { line: 2, fields: { b: 1 } },
      ],
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

  it('gives byte offsets (BOM and multi-byte characters included) just past each line', async () => {
    const input = Buffer.from('\ufeff{"n":"é"}\r\n\n{"n":2}');
    const got = await collect(input);
    assert.deepEqual(got.rows.map(rowView), [
      { index: 0, line: 1, fields: { n: 'é' }, endOffset: 3 + 10 + 2 },
      { index: 1, line: 3, fields: { n: 2 }, endOffset: input.length },
    ]);
  });

  it('counts rows read, emitted and rejected', async () => {
    const got = await collect('{"a":1}\n[1]\n{"a":2}\n{\n');
    assert.deepEqual({ ...got.counts }, { in: 4, out: 2, rejected: 2 });
  });

  for (const [name, input] of [
    ['empty input', ''],
    ['only a BOM', '\ufeff'],
    ['only blank lines', '\n \r\n\t\n'],
  ] as const) {
    it(`gives zero rows for ${name}`, async () => {
      const got = await collect(input);
      assert.equal(got.error, undefined);
      assert.equal(got.rows.length, 0);
      assert.equal(got.rejections.length, 0);
    });
  }
});
