import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rejection } from '@pxstream/core';
import { createJsonlSource } from '@pxstream/source-jsonl';

const MiB = 1024 * 1024;

describe('jsonl source: memory stays bounded whatever the input', () => {
  it('a 64 MiB line is rejected with under 16 MiB of buffers, the next line flows', async () => {
    const source = createJsonlSource();
    const rejections: Rejection[] = [];
    const rows: unknown[] = [];
    source.on('rejection', (r: Rejection) => rejections.push(r));
    source.on('data', (row) => rows.push(row.fields));
    const done = new Promise((resolve, reject) => {
      source.on('end', resolve);
      source.on('error', reject);
    });
    // One chunk object reused: the test itself holds nothing.
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    source.write('{"n":1}\n{"blob":"');
    for (let sent = 0; sent < 64 * MiB; sent += chunk.length) {
      source.write(chunk);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }
    source.end('"}\n{"n":2}\n');
    await done;
    assert.ok(peak < 16 * MiB, `peak ${(peak / MiB).toFixed(1)} MiB`);
    assert.deepEqual(
      rejections.map((r) => [r.code, r.row.line]),
      [['JSONL_LINE_TOO_LARGE', 2]],
    );
    assert.deepEqual(rows, [{ n: 1 }, { n: 2 }]);
  });
});
