import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Rejection } from '@pxstream/core';
import { createJsonArraySource } from '@pxstream/source-json';

const MiB = 1024 * 1024;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use once garbage is collected. */
function liveHeap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

describe('json array source: memory stays flat whatever the input', () => {
  it('a 32 MiB array (330,000 rows) streams through with a flat heap and no bytes piling up', async () => {
    const source = createJsonArraySource();
    let rows = 0;
    source.on('data', () => rows++);
    const done = new Promise((resolve, reject) => {
      source.on('end', resolve);
      source.on('error', reject);
    });
    const element = (i: number) =>
      JSON.stringify({
        id: `user-${i}`,
        email: `user.${i}@example.com`,
        plan: 'pro',
        score: i % 100,
        geo: { city: 'Paris' },
      });
    const heapAtStart = liveHeap();
    const buffersAtStart = process.memoryUsage().arrayBuffers;
    let heapGrowth = 0;
    let buffersPeak = 0;
    let sent = 0;
    let nextSample = 4 * MiB;
    let i = 0;
    source.write('[\n');
    while (sent < 32 * MiB) {
      let text = '';
      while (text.length < 64 * 1024) text += `${element(i++)},\n`;
      sent += text.length;
      if (!source.write(text)) await once(source, 'drain');
      buffersPeak = Math.max(buffersPeak, process.memoryUsage().arrayBuffers - buffersAtStart);
      if (sent >= nextSample) {
        heapGrowth = Math.max(heapGrowth, liveHeap() - heapAtStart);
        nextSample += 4 * MiB;
      }
    }
    source.end(`${element(i++)}\n]\n`);
    await done;
    assert.equal(rows, i);
    assert.ok(heapGrowth < 4 * MiB, `heap grew by ${(heapGrowth / MiB).toFixed(1)} MiB`);
    assert.ok(buffersPeak < 4 * MiB, `buffers peaked at ${(buffersPeak / MiB).toFixed(1)} MiB`);
  });

  it('64 MiB of whitespace between elements and after the array is not held', async () => {
    const source = createJsonArraySource();
    const rows: unknown[] = [];
    source.on('data', (row) => rows.push(row.fields));
    const done = new Promise((resolve, reject) => {
      source.on('end', resolve);
      source.on('error', reject);
    });
    const blank = Buffer.alloc(64 * 1024, ' \n');
    gc();
    const buffersAtStart = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const pad = () => {
      for (let sent = 0; sent < 32 * MiB; sent += blank.length) {
        // A new buffer each time, as from a file: one held would stay in memory.
        source.write(Buffer.from(blank));
        if (sent % (4 * MiB) === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - buffersAtStart);
        }
      }
    };
    source.write('[{"n":1},');
    pad();
    source.write('{"n":2}]');
    pad();
    source.end();
    await done;
    assert.ok(peak < 8 * MiB, `peak ${(peak / MiB).toFixed(1)} MiB`);
    assert.deepEqual(rows, [{ n: 1 }, { n: 2 }]);
  });

  it('a 64 MiB element is rejected with under 16 MiB of buffers and heap, the next element flows', async () => {
    const source = createJsonArraySource();
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
    const heapAtStart = liveHeap();
    const buffersAtStart = process.memoryUsage().arrayBuffers;
    let peak = 0;
    source.write('[{"n":1},\n{"blob":"');
    for (let sent = 0; sent < 64 * MiB; sent += chunk.length) {
      source.write(chunk);
      if (sent % (4 * MiB) === 0) {
        const { arrayBuffers, heapUsed } = process.memoryUsage();
        peak = Math.max(peak, arrayBuffers - buffersAtStart, heapUsed - heapAtStart);
      }
    }
    source.end('"},\n{"n":2}]');
    await done;
    assert.ok(peak < 16 * MiB, `peak ${(peak / MiB).toFixed(1)} MiB`);
    assert.deepEqual(
      rejections.map((r) => [r.code, r.row.line]),
      [['JSON_RECORD_TOO_LARGE', 2]],
    );
    assert.deepEqual(rows, [{ n: 1 }, { n: 2 }]);
  });
});
