import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCsvSource } from '../src/index.js';
import { collect, rowView } from './collect.js';

describe('csv source: well-formed input', () => {
  const cases: { name: string; input: string; rows: { line: number; fields: string[] }[] }[] = [
    {
      name: 'LF',
      input: 'a,b\n1,2\n3,4\n',
      rows: [
        { line: 2, fields: ['1', '2'] },
        { line: 3, fields: ['3', '4'] },
      ],
    },
    {
      name: 'CRLF',
      input: 'a,b\r\n1,2\r\n3,4\r\n',
      rows: [
        { line: 2, fields: ['1', '2'] },
        { line: 3, fields: ['3', '4'] },
      ],
    },
    {
      name: 'mixed LF and CRLF',
      input: 'a,b\n1,2\r\n3,4\n',
      rows: [
        { line: 2, fields: ['1', '2'] },
        { line: 3, fields: ['3', '4'] },
      ],
    },
    {
      name: 'no final line break',
      input: 'a,b\n1,2\n3,4',
      rows: [
        { line: 2, fields: ['1', '2'] },
        { line: 3, fields: ['3', '4'] },
      ],
    },
    { name: 'UTF-8 BOM stripped', input: '\ufeffa,b\n1,2\n', rows: [{ line: 2, fields: ['1', '2'] }] },
    { name: 'quoted delimiter', input: 'a,b\n"1,5",2\n', rows: [{ line: 2, fields: ['1,5', '2'] }] },
    {
      name: 'doubled quotes',
      input: 'a,b\n"say ""hi""",2\n',
      rows: [{ line: 2, fields: ['say "hi"', '2'] }],
    },
    { name: 'empty quoted field', input: 'a,b\n"",2\n', rows: [{ line: 2, fields: ['', '2'] }] },
    {
      name: 'quoted newline moves the next start line by two',
      input: 'a,b\n"x\ny",1\n2,3\n',
      rows: [
        { line: 2, fields: ['x\ny', '1'] },
        { line: 4, fields: ['2', '3'] },
      ],
    },
    {
      name: 'quoted CRLF counts as one line',
      input: 'a,b\r\n"x\r\ny\r\nz",1\r\n2,3\r\n',
      rows: [
        { line: 2, fields: ['x\r\ny\r\nz', '1'] },
        { line: 5, fields: ['2', '3'] },
      ],
    },
    {
      name: 'blank and whitespace-only lines skipped but counted',
      input: '\na,b\n\n1,2\r\n   \n\t\r\n3,4\n\n',
      rows: [
        { line: 4, fields: ['1', '2'] },
        { line: 7, fields: ['3', '4'] },
      ],
    },
    { name: 'empty cells', input: 'a,b,c\n,,\n', rows: [{ line: 2, fields: ['', '', ''] }] },
    {
      name: 'multi-byte UTF-8',
      input: 'name,city\nZoë,Kraków\n',
      rows: [{ line: 2, fields: ['Zoë', 'Kraków'] }],
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
    });
  }

  for (const chunkSize of [0, 1, 2]) {
    // A BOM left in would sit before the opening quote and make the header malformed.
    it(`a BOM before a quoted header, semicolons detected behind it (chunks of ${chunkSize || 'all'})`, async () => {
      const got = await collect('\ufeff"id";"email"\r\n1;a@x\r\n', {}, chunkSize);
      assert.equal(got.error, undefined);
      assert.deepEqual(got.columns, ['id', 'email']);
      assert.deepEqual(
        got.rows.map((r) => r.fields),
        [['1', 'a@x']],
      );
    });
  }

  it('shares one header array between every row and announces it before the first row', async () => {
    const got = await collect(' id , email\n1,a@x\n2,b@x\n');
    assert.deepEqual(got.headers, [['id', 'email']]);
    assert.equal(got.events[0], 'header');
    assert.equal(got.rows.length, 2);
    for (const row of got.rows) assert.equal(row.columns, got.columns);
    assert.equal(got.headers[0], got.columns);
  });

  it('gives byte offsets (BOM and multi-byte characters included) just past each record', async () => {
    const input = Buffer.from('\ufeffa,b\r\nZoë,"x\ny"\r\n\r\n2,3');
    const got = await collect(input);
    assert.deepEqual(got.rows.map(rowView), [
      { index: 0, line: 2, fields: ['Zoë', 'x\ny'], endOffset: 3 + 5 + 12 },
      { index: 1, line: 5, fields: ['2', '3'], endOffset: input.length },
    ]);
    assert.equal(input.subarray(0, got.rows[0]!.endOffset).toString().endsWith('"x\ny"\r\n'), true);
  });

  it('counts rows read, emitted and rejected', async () => {
    const got = await collect('a,b\n1,2\n3\n4,5\n');
    assert.deepEqual({ ...got.counts }, { in: 3, out: 2, rejected: 1 });
  });

  const empties: { name: string; input: string; columns: string[] | undefined }[] = [
    { name: 'empty input', input: '', columns: undefined },
    { name: 'only a BOM', input: '\ufeff', columns: undefined },
    { name: 'only blank lines and whitespace', input: '\n \r\n\t\n\n', columns: undefined },
    { name: 'header only', input: 'a,b\n', columns: ['a', 'b'] },
    { name: 'header only, no line break', input: 'a,b', columns: ['a', 'b'] },
  ];
  for (const c of empties) {
    it(`gives zero rows and no error for ${c.name}`, async () => {
      const got = await collect(c.input);
      assert.equal(got.error, undefined);
      assert.equal(got.rows.length, 0);
      assert.equal(got.rejections.length, 0);
      assert.deepEqual(got.columns, c.columns);
      assert.equal(got.headers.length, c.columns === undefined ? 0 : 1);
    });
  }
});

describe('csv source: the delimiter in use', () => {
  it('is undefined before any byte and then the detected one', async () => {
    const source = createCsvSource();
    assert.equal(source.delimiter, undefined);
    const rows: unknown[] = [];
    source.on('data', (row) => rows.push(row));
    source.end('id;name\n1;Ann\n');
    await new Promise((resolve) => source.on('end', resolve));
    assert.equal(source.delimiter, ';');
    assert.equal(rows.length, 1);
  });
});
