import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rejection } from '@pxstream/core';
import { createCsvSource } from '@pxstream/source-csv';

const MiB = 1024 * 1024;

/**
 * Feeds `head`, then `total` bytes of `filler` in 64 KiB chunks (one chunk object reused, so
 * the test itself holds nothing), then `tail`; returns the peak growth of Buffer memory and
 * what came out. A source that kept the broken record would grow by `total`.
 */
async function feed(head: string, filler: number, total: number, tail: string) {
  const source = createCsvSource();
  const rejections: Rejection[] = [];
  const rows: unknown[] = [];
  source.on('rejection', (r: Rejection) => rejections.push(r));
  source.on('data', (row) => rows.push(row.fields));
  const done = new Promise((resolve, reject) => {
    source.on('end', resolve);
    source.on('error', reject);
  });
  const chunk = Buffer.alloc(64 * 1024, filler);
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  source.write(head);
  for (let sent = 0; sent < total; sent += chunk.length) {
    source.write(chunk);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
  }
  source.end(tail);
  await done;
  return { peak, rejections, rows };
}

describe('csv source: memory stays bounded whatever the input', () => {
  const cases: { name: string; head: string; filler: number }[] = [
    { name: 'a 64 MiB line without a line break', head: 'id,name\n1,', filler: 0x78 },
    { name: 'a 64 MiB quoted field never closed', head: 'id,name\n1,"', filler: 0x78 },
  ];
  for (const c of cases) {
    it(`${c.name}: rejected with under 16 MiB of buffers, the next row flows`, async () => {
      const got = await feed(c.head, c.filler, 64 * MiB, '\n2,ok\n');
      assert.ok(got.peak < 16 * MiB, `peak ${(got.peak / MiB).toFixed(1)} MiB`);
      assert.deepEqual(
        got.rejections.map((r) => [r.code, r.row.line]),
        [['CSV_RECORD_TOO_LARGE', 2]],
      );
      assert.deepEqual(got.rows, [['2', 'ok']]);
    });
  }
});
