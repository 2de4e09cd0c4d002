import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvResumeAfter } from '@pxstream/source-csv';
import { collect, rejectionView, rowView } from './collect.js';

describe('csv source: endOffset lets a run resume exactly after any row', () => {
  const inputs: { name: string; input: string }[] = [
    { name: 'LF', input: 'a,b\n1,2\n3,4\n5,6\n' },
    {
      name: 'BOM, CRLF, quoted line breaks, blank lines, multi-byte text, no final newline',
      input: '\ufeffa,b\r\n"x\r\ny",Zoë\r\n\r\n  \r\n3,"4\n\n5"\r\n6,"é,""q"""\r\nbad\r\n7,8',
    },
    { name: 'semicolons', input: 'a;b\n1;2\n\n"3\n";4\n5;6' },
  ];
  for (const { name, input } of inputs) {
    it(name, async () => {
      const bytes = Buffer.from(input);
      const full = await collect(bytes);
      assert.equal(full.error, undefined);
      assert.ok(full.rows.length >= 3);
      for (let k = 0; k < full.rows.length; k++) {
        const point = csvResumeAfter(full.rows[k]!);
        const delimiter = name === 'semicolons' ? ';' : undefined;
        const rest = await collect(bytes.subarray(point.byteOffset), {
          resumeFrom: point,
          ...(delimiter === undefined ? {} : { delimiter }),
        });
        assert.equal(rest.error, undefined);
        assert.deepEqual(
          rest.rows.map(rowView),
          full.rows.slice(k + 1).map(rowView),
          `resume after row ${k}`,
        );
        const after = full.rejections.filter((r) => r.row.index > full.rows[k]!.index);
        assert.deepEqual(rest.rejections.map(rejectionView), after.map(rejectionView));
        assert.deepEqual(rest.headers, [full.columns]);
        for (const row of rest.rows) assert.equal(row.columns, point.columns);
      }
    });
  }

  it('csvResumeAfter counts the line breaks inside the row', () => {
    const point = csvResumeAfter({
      index: 4,
      line: 10,
      fields: ['a\nb', 'c\r\nd\ne'],
      columns: ['x', 'y'],
      endOffset: 99,
    });
    assert.deepEqual(point, { columns: ['x', 'y'], line: 14, index: 5, byteOffset: 99 });
  });
});
