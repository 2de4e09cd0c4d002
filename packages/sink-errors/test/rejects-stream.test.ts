import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import type { Rejection } from '@pxstream/core';
import { createRejectsStream } from '../src/index.js';
import { COLUMNS, csvRejection, lines, readCsv, tempDir, tempPath } from './helpers.js';

function* jsonRejections(n: number): Generator<Rejection> {
  for (let i = 0; i < n; i++) {
    yield {
      row: { index: i, line: i + 1, fields: { id: i } },
      stage: 'map',
      code: 'MAP_INVALID_NUMBER',
      message: 'm',
    };
  }
}

describe('createRejectsStream', () => {
  it('writes the rejections of a pipeline and closes the file at its end', async () => {
    const path = await tempPath('s.jsonl');
    const stream = createRejectsStream({ path, format: 'jsonl' });
    await pipeline(Readable.from(jsonRejections(1000)), stream);
    const written = await lines(path);
    assert.equal(written.length, 1000);
    assert.deepEqual(
      written.map((line) => JSON.parse(line).record.id),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.equal(stream.writer?.count, 1000);
    await assert.doesNotReject(stream.writer!.close(), 'closed already');
  });

  it('applies backpressure: with a small bound it waits for the disk instead of writing synchronously', async () => {
    const path = await tempPath('s.csv');
    const stream = createRejectsStream({ path, format: 'csv', columns: COLUMNS, maxQueuedBytes: 4096 });
    const n = 20_000;
    const rows = (function* () {
      for (let i = 0; i < n; i++) yield csvRejection([String(i), 'a,b', 'c'], {}, i + 2);
    })();
    await pipeline(Readable.from(rows), stream);
    const queue = stream.writer!.queue;
    assert.equal(queue.syncWrites, 0);
    assert.ok(queue.asyncWrites > 10, `${queue.asyncWrites} background writes`);
    assert.ok(queue.peakQueuedBytes <= 4096);
    const { columns, rows: back } = await readCsv(path);
    assert.deepEqual(columns.slice(0, 3), COLUMNS);
    assert.equal(back.length, n);
    assert.deepEqual(back[n - 1]?.slice(0, 3), [String(n - 1), 'a,b', 'c']);
  });

  it('fails the pipeline with REJECTS_WRITE_FAILED when the file cannot be opened', async () => {
    const path = join(await tempDir(), 'missing', 'r.csv');
    await assert.rejects(
      pipeline(Readable.from(jsonRejections(3)), createRejectsStream({ path, format: 'jsonl' })),
      {
        code: 'REJECTS_WRITE_FAILED',
      },
    );
  });

  it('fails the pipeline with REJECTS_WRITE_FAILED when a write fails', async () => {
    await assert.rejects(
      pipeline(
        Readable.from(jsonRejections(10)),
        createRejectsStream({ path: '/dev/full', format: 'jsonl' }),
      ),
      { code: 'REJECTS_WRITE_FAILED' },
    );
  });

  it('flushes what it took and closes the file when destroyed', async () => {
    const path = await tempPath('destroyed.jsonl');
    const fds = (await readdir('/proc/self/fd')).length;
    const stream = createRejectsStream({ path, format: 'jsonl' });
    const [first, second, third] = [...jsonRejections(3)];
    stream.write(first);
    stream.write(second);
    await new Promise((resolve) => stream.write(third, resolve));
    stream.destroy();
    await once(stream, 'close');
    assert.equal((await lines(path)).length, 3);
    assert.equal((await readdir('/proc/self/fd')).length, fds, 'the descriptor is closed');
  });
});
