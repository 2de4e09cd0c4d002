import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonlResumeAfter } from '@pxstream/source-jsonl';
import { collect, rejectionView, rowView } from './collect.js';

describe('jsonl source: endOffset lets a run resume exactly after any row', () => {
  const input = Buffer.from('\ufeff{"a":"é"}\r\n\r\n{"a":2}\n  \n[3]\n{"a":{"b":4}}\n{bad\n{"a":5}');
  it('gives exactly the following rows, lines and indexes', async () => {
    const full = await collect(input);
    assert.equal(full.rows.length, 4);
    for (let k = 0; k < full.rows.length; k++) {
      const point = jsonlResumeAfter(full.rows[k]!);
      const rest = await collect(input.subarray(point.byteOffset), { resumeFrom: point });
      assert.deepEqual(rest.rows.map(rowView), full.rows.slice(k + 1).map(rowView), `resume after row ${k}`);
      assert.deepEqual(
        rest.rejections.map(rejectionView),
        full.rejections.filter((r) => r.row.index > full.rows[k]!.index).map(rejectionView),
      );
    }
  });
});
