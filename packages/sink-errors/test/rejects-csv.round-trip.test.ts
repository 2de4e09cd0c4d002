import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openRejectsWriter, RAW_SEPARATOR, REJECT_COLUMNS } from '../src/index.js';
import { COLUMNS, csvRejection, readCsv, tempPath } from './helpers.js';

const TRICKY = [
  'a,b',
  'say "hi"',
  '"',
  'two\nlines',
  'crlf\r\nline',
  ' padded ',
  '\tindent',
  'Zoë 名前 🚀',
  '=SUM(A1:A2)',
  '@cmd',
  '',
  'semi;colon|pipe',
];

describe('a CSV rejects file read back with csv-parse (source-csv)', () => {
  for (const delimiter of [',', ';', '\t']) {
    it(`gives back the header and every value exactly (delimiter ${JSON.stringify(delimiter)})`, async () => {
      const path = await tempPath('r.csv');
      const writer = await openRejectsWriter({ path, format: 'csv', delimiter });
      writer.setColumns(COLUMNS);
      TRICKY.forEach((value, i) => {
        writer.write(
          csvRejection([`id${i}`, value, `${value}${value}`], { status: 400, message: `m ${value}` }, i + 2),
        );
      });
      await writer.close();
      const { columns, rows } = await readCsv(path);
      assert.deepEqual(columns, [...COLUMNS, ...REJECT_COLUMNS]);
      assert.deepEqual(
        rows,
        TRICKY.map((value, i) => [
          `id${i}`,
          value,
          `${value}${value}`,
          String(i + 2),
          'validate',
          'VALIDATE_INVALID_EMAIL',
          '400',
          `m ${value}`,
        ]),
      );
    });
  }

  it('keeps parse rejections one record of the header width, with the raw text recoverable', async () => {
    const path = await tempPath('parse.csv');
    const writer = await openRejectsWriter({ path, format: 'csv' });
    writer.setColumns(COLUMNS);
    const parse = { stage: 'parse' as const, code: 'CSV_X', message: 'bad' };
    const raws = ['1,a', '1,a,b,c,d', '7,"open\nstill, open', ''];
    writer.write(csvRejection(['1', 'a'], { ...parse, raw: raws[0] }, 2));
    writer.write(csvRejection(['1', 'a', 'b', 'c', 'd'], { ...parse, raw: raws[1] }, 3));
    writer.write(csvRejection([], { ...parse, raw: raws[2] }, 4));
    writer.write(csvRejection([], { ...parse, raw: raws[3] }, 6));
    await writer.close();
    const { rows } = await readCsv(path);
    assert.equal(rows.length, 4);
    for (const [i, row] of rows.entries()) {
      assert.equal(row.length, COLUMNS.length + REJECT_COLUMNS.length);
      const message = row.at(-1)!;
      assert.equal(message.slice(message.indexOf(RAW_SEPARATOR) + RAW_SEPARATOR.length), raws[i]);
    }
    assert.deepEqual(rows[0]!.slice(0, 3), ['1', 'a', '']);
    assert.deepEqual(rows[1]!.slice(0, 3), ['1', 'a', 'b']);
    assert.deepEqual(rows[2]!.slice(0, 3), ['', '', '']);
  });
});
