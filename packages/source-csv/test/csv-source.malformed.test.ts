import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, rejectionView } from './collect.js';

describe('csv source: malformed records are rejected, the rest flows', () => {
  const cases: { name: string; record: string; code: string; fields: string[] }[] = [
    {
      name: 'invalid closing quote',
      record: '1,"ab"c',
      code: 'CSV_INVALID_CLOSING_QUOTE',
      fields: ['1', '"ab"c'],
    },
    {
      name: 'quote inside an unquoted field',
      record: '1,a"b',
      code: 'CSV_INVALID_OPENING_QUOTE',
      fields: ['1', 'a"b'],
    },
    {
      name: 'too many fields',
      record: '1,2,3',
      code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH',
      fields: ['1', '2', '3'],
    },
    { name: 'too few fields', record: '1', code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', fields: ['1'] },
    { name: 'unclosed quote', record: '1,"ab', code: 'CSV_QUOTE_NOT_CLOSED', fields: ['1', '"ab'] },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.code}`, async () => {
      const got = await collect(`a,b\nx,y\n${c.record}\nz,w\n`);
      assert.equal(got.error, undefined);
      assert.deepEqual(
        got.rows.map((r) => [r.index, r.line, r.fields]),
        [
          [0, 2, ['x', 'y']],
          [2, 4, ['z', 'w']],
        ],
      );
      assert.equal(got.rejections.length, 1);
      const [rejection] = got.rejections;
      assert.deepEqual(rejectionView(rejection!), { code: c.code, line: 3, index: 1 });
      assert.equal(rejection!.stage, 'parse');
      assert.equal(rejection!.raw, c.record);
      assert.deepEqual(rejection!.row.fields, c.fields);
      assert.equal(rejection!.row.endOffset, `a,b\nx,y\n${c.record}\n`.length);
      assert.doesNotMatch(rejection!.message, /\n/);
    });
  }

  // One file with every malformed case between good rows.
  const mixed = [
    'id,name,email', // 1 header
    '1,Ann,ann@x', // 2 row 0
    '2,"Bob "the" Builder",b@x', // 3 rejected 1: invalid closing quote
    '3,Cy,cy@x,extra', // 4 rejected 2: too many fields
    '', // 5 blank
    '4,Di', // 6 rejected 3: too few fields
    '5,"Ed', // 7 row 4, two lines
    'Edwards",ed@x', // 8
    '6,Fa"ye,f@x', // 9 rejected 5: invalid opening quote
    `7,${'x'.repeat(100)},g@x`, // 10 rejected 6: over maxRecordSize
    '8,Gus,gus@x', // 11 row 7
    '9,"Hal,hal@x', // 12 rejected 8: quote never closed
    '10,Ivy,ivy@x', // 13 row 9
    '11,Jo,jo@x', // 14 row 10
    '12,"Kim,kim@x', // 15 rejected 11: stray quote, closed on the next line
    '13,"Lee",lee@x', // 16 row 12
  ].join('\r\n');

  const expectedRows = [
    { index: 0, line: 2, fields: ['1', 'Ann', 'ann@x'] },
    { index: 4, line: 7, fields: ['5', 'Ed\r\nEdwards', 'ed@x'] },
    { index: 7, line: 11, fields: ['8', 'Gus', 'gus@x'] },
    { index: 9, line: 13, fields: ['10', 'Ivy', 'ivy@x'] },
    { index: 10, line: 14, fields: ['11', 'Jo', 'jo@x'] },
    { index: 12, line: 16, fields: ['13', 'Lee', 'lee@x'] },
  ];
  const expectedRejections = [
    { code: 'CSV_INVALID_CLOSING_QUOTE', line: 3, index: 1 },
    { code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', line: 4, index: 2 },
    { code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', line: 6, index: 3 },
    { code: 'CSV_INVALID_OPENING_QUOTE', line: 9, index: 5 },
    { code: 'CSV_RECORD_TOO_LARGE', line: 10, index: 6 },
    { code: 'CSV_QUOTE_NOT_CLOSED', line: 12, index: 8 },
    { code: 'CSV_QUOTE_NOT_CLOSED', line: 15, index: 11 },
  ];

  for (const chunkSize of [0, 1, 2, 3, 7]) {
    it(`mixed file: exactly the good rows pass, exactly the bad ones are rejected (chunks of ${chunkSize || 'all'} bytes)`, async () => {
      const got = await collect(mixed, { maxRecordSize: 60 }, chunkSize);
      assert.equal(got.error, undefined);
      assert.deepEqual(
        got.rows.map((r) => ({ index: r.index, line: r.line, fields: r.fields })),
        expectedRows,
      );
      assert.deepEqual(got.rejections.map(rejectionView), expectedRejections);
      assert.deepEqual({ ...got.counts }, { in: 13, out: 6, rejected: 7 });
      // Rows and rejections come out in input order.
      assert.deepEqual(
        got.events.filter((e) => e !== 'header').map((e) => Number(e.split(' ')[1])),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
      );
    });
  }

  it('mixed file: rejections keep the raw text and what cells could be read', async () => {
    const got = await collect(mixed, { maxRecordSize: 60 });
    const raws = got.rejections.map((r) => r.raw);
    assert.deepEqual(raws, [
      '2,"Bob "the" Builder",b@x',
      '3,Cy,cy@x,extra',
      '4,Di',
      '6,Fa"ye,f@x',
      `7,${'x'.repeat(58)}`,
      '9,"Hal,hal@x',
      '12,"Kim,kim@x',
    ]);
    assert.deepEqual(got.rejections[1]!.row.fields, ['3', 'Cy', 'cy@x', 'extra']);
    assert.deepEqual(got.rejections[4]!.row.fields, []);
    assert.equal(got.rejections[0]!.row.columns, got.columns);
  });

  it('a broken file never errors the stream', async () => {
    const got = await collect('a,b\n"\n"""\n,"\n\r\n"x"y"z\n\u0000,\u0000\n"');
    assert.equal(got.error, undefined);
    assert.ok(got.rejections.length > 0);
  });
});
