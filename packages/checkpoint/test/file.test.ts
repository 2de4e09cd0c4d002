import assert from 'node:assert/strict';
// Before any mock timers: a module that first imports these while they are on would get the
// mock's functions for good (see packages/sink-px/test/helpers/virtual-time.ts).
import 'node:timers';
import 'node:timers/promises';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunStats } from '@pxstream/core';
import {
  type Checkpoint,
  CheckpointKeeper,
  fingerprintHead,
  fingerprintMismatch,
  readCheckpoint,
  removeCheckpoint,
  stableHash,
  writeCheckpoint,
} from '../src/index.js';

const sample = (read: number): Checkpoint => ({
  version: 1,
  writtenAt: new Date(0).toISOString(),
  input: { name: 'users.csv', fingerprint: fingerprintHead(Buffer.from('id,email\n1,a@b.c\n'), 17) },
  settingsHash: stableHash({ type: 'USER' }),
  position: { index: read, line: read + 2, byteOffset: read * 10, columns: ['id', 'email'], delimiter: ',' },
  counters: Object.assign(new RunStats(), { read }).snapshot(),
  rejects: { path: '/tmp/r.csv', bytes: 0 },
});

describe('checkpoint files', () => {
  it('round-trips, and leaves no temporary file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pxs-ckpt-'));
    const path = join(dir, 'run.checkpoint.json');
    await writeCheckpoint(path, sample(42));
    assert.deepEqual(await readCheckpoint(path), sample(42));
    assert.deepEqual(await readdir(dir), ['run.checkpoint.json']);
    await removeCheckpoint(path);
    await removeCheckpoint(path);
    assert.deepEqual(await readdir(dir), []);
  });

  it('names a missing or damaged checkpoint with a stable code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pxs-ckpt-'));
    await assert.rejects(readCheckpoint(join(dir, 'absent.json')), { code: 'CHECKPOINT_NOT_FOUND' });
    await writeFile(join(dir, 'bad.json'), '{"version":1');
    await assert.rejects(readCheckpoint(join(dir, 'bad.json')), { code: 'CHECKPOINT_INVALID' });
    await writeFile(join(dir, 'other.json'), '{"version":7}');
    await assert.rejects(readCheckpoint(join(dir, 'other.json')), { code: 'CHECKPOINT_INVALID' });
  });

  it('fails with CHECKPOINT_WRITE_FAILED in a directory that does not exist', async () => {
    await assert.rejects(writeCheckpoint('/nonexistent-dir-pxs/ck.json', sample(1)), {
      code: 'CHECKPOINT_WRITE_FAILED',
    });
  });

  it('the keeper writes what capture() sees, after beforeWrite resolved, one write at a time', async (t) => {
    // The interval on mock time: the test says when it fires (the writes are real).
    t.mock.timers.enable({ apis: ['setInterval'] });
    const dir = await mkdtemp(join(tmpdir(), 'pxs-ckpt-'));
    const path = join(dir, 'k.json');
    let read = 0;
    const order: string[] = [];
    const keeper = new CheckpointKeeper({
      path,
      intervalMs: 10,
      capture: () => {
        order.push(`capture ${read}`);
        return sample(read);
      },
      beforeWrite: async () => {
        order.push('flushed');
      },
    });
    keeper.start();
    read = 5;
    t.mock.timers.tick(10);
    assert.deepEqual(order, ['capture 5', 'flushed'], 'a periodic write');
    // Under way (its file is being written): the next ticks skip.
    t.mock.timers.tick(10);
    t.mock.timers.tick(10);
    assert.equal(order.length, 2);
    read = 9;
    await keeper.stop();
    await keeper.write();
    assert.equal((await readCheckpoint(path)).counters.read, 9);
    assert.deepEqual(order, ['capture 5', 'flushed', 'capture 9', 'flushed']);
    assert.match(await readFile(path, 'utf8'), /"version": 1/);
  });
});

describe('fingerprints', () => {
  it('tell a changed size or head apart, and accept an unknown size (stdin)', () => {
    const a = fingerprintHead(Buffer.from('id\n1\n'), 5);
    assert.equal(fingerprintMismatch(a, fingerprintHead(Buffer.from('id\n1\n'), 5)), undefined);
    assert.match(fingerprintMismatch(a, fingerprintHead(Buffer.from('id\n1\n'), 9)) ?? '', /size changed/);
    assert.match(fingerprintMismatch(a, fingerprintHead(Buffer.from('id\n2\n'), 5)) ?? '', /first bytes/);
    assert.equal(
      fingerprintMismatch({ ...a, size: null }, fingerprintHead(Buffer.from('id\n1\n'), null)),
      undefined,
    );
  });

  it('stableHash ignores key order and undefined values', () => {
    assert.equal(
      stableHash({ a: 1, b: { c: [1, 2], d: 'x' } }),
      stableHash({ b: { d: 'x', c: [1, 2] }, a: 1, e: undefined }),
    );
    assert.notEqual(stableHash({ a: 1 }), stableHash({ a: 2 }));
  });
});
