import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openRejectsWriter } from '../src/index.js';
import { COLUMNS, csvRejection, runTs, tempPath } from './helpers.js';

const ROWS = 200_000;
const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/exit-without-close.ts', import.meta.url));

/** Checks the file holds the header and rows 0..n-1 in order, each once. */
async function assertAllRows(path: string, n: number): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  assert.equal(lines.pop(), '', 'ends with a line feed');
  assert.equal(lines.length, n + 1);
  for (let i = 0; i < n; i++) {
    const id = lines[i + 1]!.slice(0, lines[i + 1]!.indexOf(','));
    if (id !== String(i)) assert.fail(`line ${i + 2} holds row ${id}, not ${i}`);
  }
}

describe('RejectsWriter backpressure', () => {
  it(`${ROWS} rejections written in a tight loop: the queue stays within its bound, no line lost`, async () => {
    const path = await tempPath('loop.csv');
    const maxQueuedBytes = 64 * 1024;
    const writer = await openRejectsWriter({ path, format: 'csv', maxQueuedBytes });
    writer.setColumns(COLUMNS);
    for (let i = 0; i < ROWS; i++) {
      writer.write(
        csvRejection([String(i), `user${i}@example.com`, 'a, "quoted" note'], { status: 400 }, i + 2),
      );
      if (writer.queue.queuedBytes > maxQueuedBytes)
        assert.fail(`queue at ${writer.queue.queuedBytes} bytes`);
    }
    assert.equal(writer.count, ROWS);
    assert.ok(writer.queue.peakQueuedBytes <= maxQueuedBytes);
    assert.ok(writer.queue.peakQueuedBytes > maxQueuedBytes / 2, 'the bound was reached');
    // No background write can complete inside a loop that never yields: the full queue was
    // written synchronously, about once per bound's worth of bytes.
    assert.ok(writer.queue.syncWrites >= Math.floor(writer.bytesWritten / maxQueuedBytes) - 1);
    await writer.close();
    assert.equal((await stat(path)).size, writer.bytesWritten);
    await assertAllRows(path, ROWS);
  });

  it(`${ROWS} rejections from a caller that yields: background writes, bounded queue`, async () => {
    const path = await tempPath('yielding.jsonl');
    const writer = await openRejectsWriter({ path, format: 'jsonl' });
    for (let i = 0; i < ROWS; i++) {
      writer.write({
        row: { index: i, line: i + 1, fields: { id: String(i) } },
        stage: 'map',
        code: 'M',
        message: 'm',
      });
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(writer.queue.asyncWrites > 0);
    assert.ok(writer.queue.peakQueuedBytes <= writer.queue.maxQueuedBytes);
    assert.equal(writer.queue.maxQueuedBytes, 1024 * 1024, 'default bound');
    await writer.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, ROWS);
    assert.deepEqual(
      lines.filter((_, i) => i % 50_000 === 0).map((line) => JSON.parse(line).record.id),
      ['0', '50000', '100000', '150000'],
    );
  });

  it('writes a rejection larger than the bound at once, without queueing it', async () => {
    const path = await tempPath('big.csv');
    const writer = await openRejectsWriter({ path, format: 'csv', maxQueuedBytes: 1024 });
    writer.setColumns(COLUMNS);
    writer.write(csvRejection(['1', 'a', 'b']));
    const huge = 'z'.repeat(10_000);
    writer.write(csvRejection(['2', huge, 'b']));
    assert.equal(writer.queue.queuedBytes, 0);
    assert.ok(writer.queue.peakQueuedBytes <= 1024);
    assert.equal(writer.queue.syncWrites, 2, 'the queue, then the big line');
    await writer.close();
    assert.match(await readFile(path, 'utf8'), new RegExp(`\\n2,${huge},b,2,`));
  });

  for (const mode of ['loop', 'yielding']) {
    it(`puts every line in the file when the process exits without close() (${mode})`, async () => {
      const path = await tempPath(`exit-${mode}.csv`);
      const n = 20_000;
      const child = spawnSync(process.execPath, [...runTs(fixture), path, String(n), mode], {
        cwd: root,
        encoding: 'utf8',
      });
      assert.equal(child.status, 0, child.stderr);
      const stats = JSON.parse(child.stdout) as { queuedBytes: number; asyncWrites: number; length: number };
      assert.ok(stats.queuedBytes > 0, 'lines were still queued at the exit');
      if (mode === 'yielding') assert.ok(stats.asyncWrites > 0);
      assert.equal((await stat(path)).size, stats.length);
      await assertAllRows(path, n);
    });
  }
});
