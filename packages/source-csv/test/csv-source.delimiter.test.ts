import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectDelimiter } from '@pxstream/source-csv';
import { collect } from './collect.js';

describe('detectDelimiter', () => {
  const cases: [string, string][] = [
    ['id,email,name', ','],
    ['id;email;name', ';'],
    ['id\temail\tname', '\t'],
    ['id;email,name;x', ';'],
    ['"a;b;c",d,e', ','],
    ['"a,b,c";d;e', ';'],
    ['id', ','],
    ['', ','],
    ['a,b;c', ','],
    ['a;b\tc', ';'],
  ];
  for (const [line, expected] of cases) {
    it(`${JSON.stringify(line)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(detectDelimiter(line), expected);
    });
  }
});

describe('csv source: delimiter', () => {
  const cases: { name: string; input: string; delimiter?: string; fields: string[] }[] = [
    { name: 'detected comma', input: 'a,b\n1;x,2\n', fields: ['1;x', '2'] },
    { name: 'detected semicolon', input: 'a;b\n1,5;2\n', fields: ['1,5', '2'] },
    { name: 'detected tab', input: 'a\tb\n1,5;x\t2\n', fields: ['1,5;x', '2'] },
    { name: 'detected after blank lines and a BOM', input: '\ufeff\n\na;b\n1;2\n', fields: ['1', '2'] },
    { name: 'given delimiter wins', input: 'a|b,c\n1|2,3\n', delimiter: '|', fields: ['1', '2,3'] },
    { name: 'given semicolon with quotes', input: 'a;b\n"x;y";2\n', delimiter: ';', fields: ['x;y', '2'] },
    { name: 'given multi-byte delimiter', input: 'a¦b\n"1¦"¦2\n', delimiter: '¦', fields: ['1¦', '2'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const got = await collect(c.input, c.delimiter === undefined ? {} : { delimiter: c.delimiter });
      assert.equal(got.error, undefined);
      assert.deepEqual(got.columns?.length, 2);
      assert.deepEqual(
        got.rows.map((r) => r.fields),
        [c.fields],
      );
    });
  }

  it('detects the delimiter when the header arrives one byte at a time', async () => {
    const got = await collect('id;email\n1;a@x\n', {}, 1);
    assert.deepEqual(got.columns, ['id', 'email']);
    assert.deepEqual(got.rows[0]?.fields, ['1', 'a@x']);
  });
});
