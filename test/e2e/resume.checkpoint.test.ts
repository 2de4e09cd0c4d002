import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runInProcess, runPxstream, tempDir, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { USER_HEADER, writeUsersCsv } from '../helpers/data.js';
import { emulator } from '../helpers/emulator.js';

const HEAD_BYTES = 64 * 1024;
const ROWS = 2000;
const id = (i: number) => `u-${String(i).padStart(6, '0')}`;

/** What the checkpoint holds, and that a resume from a file reads from its byte offset. */
describe('pxstream checkpoint file', () => {
  let px: EmulatorHandle;
  let dir: string;
  let cleanup: () => Promise<void>;
  let input: string;
  let config: string;
  let badCount: number;
  let args: string[];
  before(async () => {
    px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 2 } });
    ({ dir, cleanup } = await tempDir());
    input = join(dir, 'users.csv');
    badCount = (await writeUsersCsv(input, ROWS)).badIndices.length;
    config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 600 }));
    args = ['-t', 'USER', '-c', config, '-i', '--report', join(dir, 'run.json'), input];
    // Stopped with Ctrl-C well past the first 64 KiB (the fingerprinted head).
    const first = await runPxstream(['-v', ...args], { cwd: dir, interruptWhen: { text: 'line 1300:' } });
    assert.equal(first.code, 130, first.stderr);
  });
  after(async () => {
    await px.close();
    await cleanup();
  });

  it('holds the watermark, its byte offset and line, the counters, the fingerprint and the settings hash', async () => {
    const checkpoint = JSON.parse(await readFile(join(dir, 'run.checkpoint.json'), 'utf8'));
    const content = await readFile(input);
    const { position, counters } = checkpoint;
    assert.equal(checkpoint.version, 1);
    assert.ok(!Number.isNaN(Date.parse(checkpoint.writtenAt)));
    assert.equal(checkpoint.input.name, input);
    assert.deepEqual(checkpoint.input.fingerprint, {
      size: content.length,
      headSha256: createHash('sha256').update(content.subarray(0, HEAD_BYTES)).digest('hex'),
      headBytes: HEAD_BYTES,
    });
    assert.match(checkpoint.settingsHash, /^[0-9a-f]{64}$/);
    // After Ctrl-C the watermark is the first row not finished (rows the sink held unsent are
    // not: the stop sends nothing new)...
    assert.equal(position.index, counters.read);
    assert.ok(position.byteOffset > HEAD_BYTES, `offset ${position.byteOffset}`);
    // ...and the byte offset and line point exactly at that row.
    assert.ok(
      content
        .subarray(position.byteOffset)
        .toString()
        .startsWith(`${id(position.index)},`),
    );
    const linesBefore = content.subarray(0, position.byteOffset).toString().split('\n').length;
    assert.equal(position.line, linesBefore);
    assert.deepEqual(position.columns, USER_HEADER.split(','));
    assert.equal(counters.inserted + counters.rejected, counters.read);
    // The rejects file up to the checkpoint's bytes holds the rejections of the rows below the
    // watermark, each once; after them come only rows at or past it, finished while rows before
    // them were held unsent by the stop (a resume cuts the file back and does those again).
    const rejects = await readFile(checkpoint.rejects.path);
    assert.ok(checkpoint.rejects.bytes <= (await stat(checkpoint.rejects.path)).size);
    const rowsIn = (bytes: Buffer) =>
      [...bytes.toString().matchAll(/^u-(\d{6}),/gm)].map((m) => Number(m[1]));
    const kept = rowsIn(rejects.subarray(0, checkpoint.rejects.bytes));
    assert.equal(kept.length, counters.rejected);
    assert.ok(
      kept.every((row) => row < position.index),
      `rows below the watermark ${position.index}: ${kept}`,
    );
    const later = rowsIn(rejects.subarray(checkpoint.rejects.bytes));
    assert.ok(
      later.every((row) => row >= position.index),
      `rows past the watermark: ${later}`,
    );
    assert.equal(checkpoint.sentCeiling, undefined, 'users are safe to send again: no lease');
  });

  it('refuses to resume into another PX (base URL or data center), before sending anything', async () => {
    const before = px.stats().requests;
    const run = await runInProcess([...args, '--resume', '--base-url', 'http://127.0.0.1:9/v1'], {
      cwd: dir,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /--resume refused: .*PX base URL or data center/);
    assert.equal(px.stats().requests, before);
  });

  it('a resume seeks to the byte offset: the bytes before it are not read again', async () => {
    const checkpoint = JSON.parse(await readFile(join(dir, 'run.checkpoint.json'), 'utf8'));
    const content = await readFile(input);
    // Past the fingerprinted head and before the offset, join two plain rows into one
    // (same size): a resume that read from the start would see one ragged row and shift
    // every later row; one that seeks never sees it.
    const text = content.toString('latin1');
    let cut = -1;
    for (let at = text.indexOf('\n', HEAD_BYTES + 100); at < checkpoint.position.byteOffset - 300; ) {
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const line = text.slice(lineStart, at);
      if (/^u-\d{6},/.test(line) && !line.includes('"') && /^u-\d{6},/.test(text.slice(at + 1, at + 10))) {
        cut = at;
        break;
      }
      at = text.indexOf('\n', at + 1);
    }
    assert.ok(cut > 0, 'found two plain rows to join');
    const changed = Buffer.from(content);
    changed[cut] = ','.charCodeAt(0);
    await writeFile(input, changed);

    const second = await runInProcess([...args, '--resume'], { cwd: dir });
    assert.equal(second.code, 3, second.stderr);
    const final = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
    assert.equal(final.rows.read, ROWS);
    assert.equal(final.rows.inserted, ROWS - badCount);
    assert.equal(final.rows.rejected, badCount);
    assert.equal(final.rejectedByCode.CSV_RECORD_INCONSISTENT_FIELDS_LENGTH, undefined);
    assert.equal(px.stats().created.users, ROWS - badCount);
  });
});
