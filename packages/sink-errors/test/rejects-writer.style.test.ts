import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { openRejectsWriter } from '../src/index.js';
import { COLUMNS, csvRejection, readCsv, tempPath } from './helpers.js';

const BOM = [0xef, 0xbb, 0xbf];

describe('rejects writer: written the way the input was', () => {
  const cases = [
    { name: 'default: LF, no BOM', style: undefined, bom: false, lineBreak: '\n' },
    {
      name: 'an Excel export: CRLF and a BOM',
      style: { lineBreak: '\r\n', bom: true },
      bom: true,
      lineBreak: '\r\n',
    },
    { name: 'CRLF without a BOM', style: { lineBreak: '\r\n' }, bom: false, lineBreak: '\r\n' },
  ] as const;
  for (const { name, style, bom, lineBreak } of cases) {
    it(name, async () => {
      const path = await tempPath('style.csv');
      const writer = await openRejectsWriter({ path, format: 'csv' });
      writer.setColumns(COLUMNS, ';', style);
      writer.write(csvRejection(['u1', 'nope', 'two\nlines']));
      writer.write(csvRejection(['u2', 'nope', 'x'], {}, 3));
      await writer.close();
      const bytes = await readFile(path);
      assert.equal(bytes.subarray(0, 3).equals(Buffer.from(BOM)), bom);
      assert.equal(writer.bytesWritten, bytes.length);
      const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
      // Record ends use the chosen break; the LF inside the quoted value stays as it was.
      assert.equal(
        text,
        [
          'id;email;note;_line;_stage;_code;_status;_message',
          'u1;nope;"two\nlines";2;validate;VALIDATE_INVALID_EMAIL;;email is not an email',
          'u2;nope;x;3;validate;VALIDATE_INVALID_EMAIL;;email is not an email',
          '',
        ].join(lineBreak),
      );
      const back = await readCsv(path);
      assert.deepEqual(back.columns, [...COLUMNS, '_line', '_stage', '_code', '_status', '_message']);
      assert.deepEqual(
        back.rows.map((row) => row.slice(0, 3)),
        [
          ['u1', 'nope', 'two\nlines'],
          ['u2', 'nope', 'x'],
        ],
      );
    });
  }

  it('a resumed file keeps the line breaks it was started with, and gets no second BOM', async () => {
    const path = await tempPath('resumed.csv');
    const first = await openRejectsWriter({ path, format: 'csv', style: { lineBreak: '\r\n', bom: true } });
    first.setColumns(COLUMNS);
    first.write(csvRejection(['u1', 'nope', 'a']));
    await first.close();
    const second = await openRejectsWriter({ path, format: 'csv', resume: { bytes: first.bytesWritten } });
    second.setColumns(COLUMNS, ',', { lineBreak: '\n', bom: true });
    second.write(csvRejection(['u2', 'nope', 'b'], {}, 3));
    await second.close();
    const text = await readFile(path, 'utf8');
    assert.equal(text.indexOf('\uFEFF'), 0);
    assert.equal(text.lastIndexOf('\uFEFF'), 0);
    assert.equal(text.split('\r\n').length, 4);
    assert.ok(!/[^\r]\n/.test(text));
  });
});
