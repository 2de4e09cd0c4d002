import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collect, rejectionView } from './collect.js';

/**
 * A quote opened on one line and never closed where it should be swallows the following lines
 * until the next quote closes it. When the record that results does not parse, only its first
 * line is rejected and reading resumes on the next line, so the good rows it swallowed flow.
 */
describe('csv source: a stray quote does not swallow the good rows after it', () => {
  const cases: {
    name: string;
    input: string;
    rows: [line: number, fields: string[]][];
    rejections: { code: string; line: number; index: number }[];
  }[] = [
    {
      name: 'closed by a quoted field two lines later',
      input: 'id,name\n1,"oops\n2,Bob\n3,"Cy"\n4,Di\n',
      rows: [
        [3, ['2', 'Bob']],
        [4, ['3', 'Cy']],
        [5, ['4', 'Di']],
      ],
      rejections: [{ code: 'CSV_QUOTE_NOT_CLOSED', line: 2, index: 0 }],
    },
    {
      name: 'closed on the next line',
      input: 'id,name\r\n1,"oops\r\n2,"Bob"\r\n3,Cy\r\n',
      rows: [
        [3, ['2', 'Bob']],
        [4, ['3', 'Cy']],
      ],
      rejections: [{ code: 'CSV_QUOTE_NOT_CLOSED', line: 2, index: 0 }],
    },
    {
      name: 'closed by the last record, without a final line break',
      input: 'id,name\n1,"oops\n2,Bob\n3,"Cy"',
      rows: [
        [3, ['2', 'Bob']],
        [4, ['3', 'Cy']],
      ],
      rejections: [{ code: 'CSV_QUOTE_NOT_CLOSED', line: 2, index: 0 }],
    },
    {
      name: 'a broken multi-line record: each of its lines is rejected',
      input: 'id,name\n1,"multi\nline"x\n3,Cy\n',
      rows: [[4, ['3', 'Cy']]],
      rejections: [
        { code: 'CSV_QUOTE_NOT_CLOSED', line: 2, index: 0 },
        { code: 'CSV_INVALID_OPENING_QUOTE', line: 3, index: 1 },
      ],
    },
    {
      name: 'a good multi-line record is kept whole',
      input: 'id,name\n1,"multi\nline, ""quoted"""\n3,Cy\n',
      rows: [
        [2, ['1', 'multi\nline, "quoted"']],
        [4, ['3', 'Cy']],
      ],
      rejections: [],
    },
  ];
  for (const c of cases) {
    for (const chunkSize of [0, 1, 4]) {
      it(`${c.name} (chunks of ${chunkSize || 'all'})`, async () => {
        const got = await collect(c.input, {}, chunkSize);
        assert.equal(got.error, undefined);
        assert.deepEqual(
          got.rows.map((r) => [r.line, r.fields]),
          c.rows,
        );
        assert.deepEqual(got.rejections.map(rejectionView), c.rejections);
        const indexes = [...got.rows.map((r) => r.index), ...got.rejections.map((r) => r.row.index)];
        assert.deepEqual(
          indexes.sort((a, b) => a - b),
          indexes.map((_, i) => i),
        );
      });
    }
  }

  for (const chunkSize of [0, 1, 2, 3]) {
    it(`a multi-byte delimiter after a closing quote (chunks of ${chunkSize || 'all'})`, async () => {
      const input = 'id¦name\n1¦"oops\n2¦"Bob"¦\n3¦"Cy"¦x\n4¦"Di"\n';
      const got = await collect(input, { delimiter: '¦' }, chunkSize);
      assert.equal(got.error, undefined);
      assert.deepEqual(
        got.rows.map((r) => [r.line, r.fields]),
        [[5, ['4', 'Di']]],
      );
      assert.deepEqual(got.rejections.map(rejectionView), [
        { code: 'CSV_QUOTE_NOT_CLOSED', line: 2, index: 0 },
        { code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', line: 3, index: 1 },
        { code: 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH', line: 4, index: 2 },
      ]);
    });
  }

  it('the rejection keeps the first line only, and its end offset', async () => {
    const got = await collect('id,name\n1,"oops\n2,Bob\n3,"Cy"\n');
    assert.equal(got.rejections[0]!.raw, '1,"oops');
    assert.equal(got.rejections[0]!.row.endOffset, 'id,name\n1,"oops\n'.length);
    assert.doesNotMatch(got.rejections[0]!.message, /\n/);
  });
});
