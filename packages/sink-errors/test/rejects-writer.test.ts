import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, statSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRedactor, isPxStreamError, type Rejection } from '@pxstream/core';
import { openRejectsWriter, type RejectsError } from '../src/index.js';
import { COLUMNS, csvRejection, KEY, lines, readCsv, tempDir, tempPath } from './helpers.js';

const openFds = async () => (await readdir('/proc/self/fd')).length;

function isWriteFailed(path: string, reason: RegExp) {
  return (error: unknown) => {
    assert.ok(isPxStreamError(error));
    assert.equal(error.code, 'REJECTS_WRITE_FAILED');
    assert.equal(error.fatal, true);
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, reason);
    return true;
  };
}

describe('openRejectsWriter: eager open', () => {
  it('creates the file before anything is written', async () => {
    const path = await tempPath('new.csv');
    const writer = await openRejectsWriter({ path, format: 'csv' });
    assert.equal((await stat(path)).size, 0);
    assert.equal(writer.path, path);
    await writer.close();
  });

  it('truncates a file that was there', async () => {
    const path = await tempPath('old.jsonl');
    await writeFile(path, 'earlier run\n'.repeat(100));
    const writer = await openRejectsWriter({ path, format: 'jsonl' });
    assert.equal((await stat(path)).size, 0);
    await writer.close();
  });

  it('fails at once with REJECTS_WRITE_FAILED naming the path and the reason', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'no-such-dir', 'r.csv');
    await assert.rejects(
      openRejectsWriter({ path: missing, format: 'csv' }),
      isWriteFailed(missing, /ENOENT: no such file/),
    );
    await assert.rejects(openRejectsWriter({ path: dir, format: 'csv' }), isWriteFailed(dir, /EISDIR/));
    assert.deepEqual(await readdir(dir), [], 'nothing created');
  });

  it('does not leak the descriptor of a file it cannot use', async () => {
    const path = await tempPath('short.csv');
    await writeFile(path, 'abc');
    const before = await openFds();
    await assert.rejects(openRejectsWriter({ path, format: 'csv', resume: { bytes: 10 } }), {
      code: 'REJECTS_WRITE_FAILED',
    });
    assert.equal(await openFds(), before);
  });

  it('refuses bad options with REJECTS_INVALID_OPTION before touching the file', async () => {
    const path = await tempPath('bad.csv');
    const bad = [
      { path, format: 'xml' as 'csv' },
      { path, format: 'csv' as const, delimiter: '"' },
      { path, format: 'csv' as const, maxQueuedBytes: 0 },
      { path, format: 'csv' as const, resume: { bytes: -1 } },
    ];
    for (const options of bad)
      await assert.rejects(openRejectsWriter(options), { code: 'REJECTS_INVALID_OPTION' });
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });
});

describe('RejectsWriter', () => {
  it('createdEmpty is true only when this writer created the file', async () => {
    const path = await tempPath('c.csv');
    const first = await openRejectsWriter({ path, format: 'csv' });
    assert.equal(first.createdEmpty, true);
    assert.equal(first.count, 0);
    await first.close();
    const second = await openRejectsWriter({ path, format: 'csv' });
    assert.equal(second.createdEmpty, false);
    await second.close();
  });

  it('close() flushes, closes the descriptor, and is idempotent, also when called concurrently', async () => {
    const path = await tempPath('close.csv');
    const before = await openFds();
    const writer = await openRejectsWriter({ path, format: 'csv' });
    writer.setColumns(COLUMNS);
    for (let i = 0; i < 1000; i++) writer.write(csvRejection([String(i), 'a', 'b'], {}, i + 2));
    const [a, b] = [writer.close(), writer.close()];
    assert.equal(a, b);
    await Promise.all([a, b]);
    await writer.close();
    assert.equal(await openFds(), before);
    assert.equal((await lines(path)).length, 1001);
    assert.equal((await stat(path)).size, writer.bytesWritten);
  });

  it('counts a write after close as dropped, and writes nothing', async () => {
    const path = await tempPath('late.csv');
    const writer = await openRejectsWriter({ path, format: 'csv' });
    writer.write(csvRejection(['1', 'a', 'b']));
    await writer.close();
    const size = (await stat(path)).size;
    writer.write(csvRejection(['2', 'a', 'b']));
    assert.equal(writer.count, 1);
    assert.equal(writer.dropped, 1);
    assert.equal((await stat(path)).size, size);
  });

  it('flush() resolves once the file holds every byte written so far', async () => {
    const path = await tempPath('flush.jsonl');
    const writer = await openRejectsWriter({ path, format: 'jsonl' });
    // Enough rows that the background writes cannot all be done before a synchronous look
    // (one row raced an asynchronous stat on a busy machine, and lost).
    for (let i = 0; i < 5000; i++) writer.write(csvRejection([String(i), 'a', 'b']));
    assert.ok(statSync(path).size < writer.bytesWritten, 'written in the background, not at once');
    await writer.flush();
    assert.equal((await stat(path)).size, writer.bytesWritten);
    assert.ok(writer.bytesWritten > 0);
    await writer.close();
  });

  it('takes the header from setColumns, with the delimiter given there', async () => {
    const path = await tempPath('set.csv');
    const writer = await openRejectsWriter({ path, format: 'csv' });
    writer.setColumns(['a', 'b'], ';');
    writer.write(csvRejection(['1', '2', '3']));
    writer.setColumns(['x', 'y', 'z'], ',');
    writer.write(csvRejection(['4', '5']));
    await writer.close();
    assert.deepEqual(await lines(path), [
      'a;b;_line;_stage;_code;_status;_message',
      '1;2;2;validate;VALIDATE_INVALID_EMAIL;;"email is not an email | raw: 1;2;3"',
      '4;5;2;validate;VALIDATE_INVALID_EMAIL;;email is not an email',
    ]);
  });

  it("takes the header from the first row's columns when setColumns never came", async () => {
    const path = await tempPath('row.csv');
    const writer = await openRejectsWriter({ path, format: 'csv' });
    writer.write(csvRejection(['1', 'a', 'b']));
    await writer.close();
    const { columns, rows } = await readCsv(path);
    assert.deepEqual(columns, [...COLUMNS, '_line', '_stage', '_code', '_status', '_message']);
    assert.deepEqual(rows[0]?.slice(0, 3), ['1', 'a', 'b']);
  });

  it('writes only the reject columns when no columns are known, the fields going to _message', async () => {
    const path = await tempPath('none.csv');
    const writer = await openRejectsWriter({ path, format: 'csv' });
    const rejection: Rejection = {
      row: { index: 0, line: 1, fields: ['1', 'a,b'] },
      stage: 'parse',
      code: 'C',
      message: 'm',
    };
    writer.write(rejection);
    await writer.close();
    assert.deepEqual(await lines(path), [
      '_line,_stage,_code,_status,_message',
      '1,parse,C,,"m | raw: 1,""a,b"""',
    ]);
  });

  for (const format of ['csv', 'jsonl'] as const) {
    it(`never writes the API key (${format}): values, column names, messages, raw text`, async () => {
      const path = await tempPath(`secret.${format}`);
      const writer = await openRejectsWriter({ path, format, redact: createRedactor([KEY]) });
      writer.setColumns(['id', `col-${KEY}`, 'note']);
      writer.write(csvRejection(['1', `x${KEY}`, 'n'], { message: `bad key ${KEY}` }));
      writer.write(csvRejection([], { raw: `raw ${KEY}`, stage: 'parse', code: 'CSV_QUOTE_NOT_CLOSED' }));
      writer.write({
        row: { index: 2, line: 4, fields: { [KEY]: KEY } },
        stage: 'send',
        code: `C${KEY}`,
        message: KEY,
      });
      await writer.close();
      const text = await readFile(path, 'utf8');
      assert.equal(text.includes(KEY), false);
      // CSV: column name, value, message, raw, code, message, the object row's key and value.
      assert.equal(text.match(/\[REDACTED\]/g)?.length, format === 'csv' ? 8 : 7);
    });
  }

  it('fails at open on a full device (/dev/full): the probe byte is refused', async () => {
    await assert.rejects(
      openRejectsWriter({ path: '/dev/full', format: 'csv' }),
      isWriteFailed('/dev/full', /ENOSPC/),
    );
  });

  it('reports a later write failure as REJECTS_WRITE_FAILED: onError, failed, close(); never an uncaught error', async () => {
    const errors: RejectsError[] = [];
    // A named pipe whose reader goes away: the open succeeds, the writes then fail (EPIPE).
    const fifo = await tempPath('reader-gone.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = await openRejectsWriter({ path: fifo, format: 'csv', onError: (e) => errors.push(e) });
    closeSync(reader);
    writer.write(csvRejection(['1', 'a', 'b']));
    await assert.rejects(writer.flush(), isWriteFailed(fifo, /EPIPE/));
    assert.equal(errors.length, 1);
    assert.equal(writer.failed, errors[0]);
    writer.write(csvRejection(['2', 'a', 'b']));
    assert.equal(writer.dropped, 1);
    await assert.rejects(writer.close(), isWriteFailed(fifo, /EPIPE/));
    await assert.rejects(writer.close(), { code: 'REJECTS_WRITE_FAILED' });
    assert.equal(errors.length, 1, 'onError called once');
  });

  it('writes to a device that takes the bytes (/dev/null)', async () => {
    const writer = await openRejectsWriter({ path: '/dev/null', format: 'jsonl' });
    for (let i = 0; i < 100; i++) writer.write(csvRejection(['1', 'a', 'b']));
    await writer.close();
    assert.equal(writer.count, 100);
    assert.equal(writer.failed, undefined);
  });
});

describe('RejectsWriter resume', () => {
  it('cuts the file back to the checkpoint size and appends without a second header', async () => {
    const path = await tempPath('resume.csv');
    const writer = await openRejectsWriter({ path, format: 'csv' });
    writer.setColumns(COLUMNS);
    writer.write(csvRejection(['1', 'a', 'b'], {}, 2));
    await writer.flush();
    const atCheckpoint = writer.bytesWritten;
    writer.write(csvRejection(['2', 'a', 'b'], {}, 3));
    await writer.close();
    const resumed = await openRejectsWriter({ path, format: 'csv', resume: { bytes: atCheckpoint } });
    assert.equal(resumed.createdEmpty, false);
    assert.equal(resumed.bytesWritten, atCheckpoint);
    resumed.setColumns(COLUMNS);
    resumed.write(csvRejection(['2', 'a', 'b'], {}, 3));
    resumed.write(csvRejection(['3', 'a', 'b'], {}, 4));
    await resumed.close();
    const { rows } = await readCsv(path);
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['1', '2', '3'],
    );
    assert.equal((await stat(path)).size, resumed.bytesWritten);
  });

  it('fails with REJECTS_WRITE_FAILED when the file is shorter than the checkpoint says, or gone', async () => {
    const path = await tempPath('short.csv');
    await writeFile(path, 'short');
    await assert.rejects(
      openRejectsWriter({ path, format: 'csv', resume: { bytes: 999 } }),
      isWriteFailed(path, /fewer than the 999/),
    );
    assert.equal(await readFile(path, 'utf8'), 'short', 'left as it was');
    const gone = await tempPath('gone.csv');
    await assert.rejects(
      openRejectsWriter({ path: gone, format: 'csv', resume: { bytes: 10 } }),
      isWriteFailed(gone, /ENOENT/),
    );
  });
});
