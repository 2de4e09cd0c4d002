import assert from 'node:assert/strict';
// Before any mock timers: a module that first imports these while they are on would get the
// mock's functions for good (see packages/sink-px/test/helpers/virtual-time.ts).
import 'node:timers';
import 'node:timers/promises';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { RunStats } from '@pxstream/core';
import { type Checkpoint, CheckpointKeeper, fingerprintHead, readCheckpoint } from '../src/index.js';

const sample = (read: number, sentCeiling?: number): Checkpoint => ({
  version: 1,
  writtenAt: new Date().toISOString(),
  input: { name: 'events.csv', fingerprint: fingerprintHead(Buffer.from('a\n1\n'), 4) },
  settingsHash: 'h',
  position: null,
  counters: Object.assign(new RunStats(), { read }).snapshot(),
  rejects: { path: '/tmp/r.csv', bytes: 0 },
  ...(sentCeiling !== undefined ? { sentCeiling } : {}),
});

/**
 * The keeper's interval runs on `node:test`'s mock timers (setInterval and Date): the test moves
 * the time and counts the writes, exactly, whatever the machine's speed. The writes themselves
 * are real (a temporary file, then a rename); the test waits for each one to be on disk
 * (afterWrite) before it moves the time on.
 */
function keeperOnMockTime(t: TestContext, options: { beforeWrite?: () => Promise<void> } = {}) {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 0 });
  return (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pxs-keeper-'));
    const path = join(dir, 'c.json');
    /** When each capture happened (mock ms). */
    const captured: number[] = [];
    const written: number[] = [];
    let onWritten = () => {};
    const keeper = new CheckpointKeeper({
      path,
      capture: () => {
        captured.push(Date.now());
        return sample(captured.length);
      },
      ...options,
      afterWrite: (checkpoint) => {
        written.push(checkpoint.counters.read);
        onWritten();
      },
    });
    /**
     * Resolves once `n` writes are on disk and the keeper is done with them (afterWrite runs
     * just before the keeper lets the next one start; its last step is a few promise
     * continuations later, before the next turn of the event loop).
     */
    const writes = async (n: number) => {
      await new Promise<void>((resolve) => {
        onWritten = () => written.length >= n && resolve();
        onWritten();
      });
      await new Promise((resolve) => setImmediate(resolve));
    };
    return { dir, path, keeper, captured, written, writes };
  })();
}

describe('CheckpointKeeper cadence (mock time)', () => {
  it('writes once a second by default, never more often, and each write is atomic', async (t) => {
    const { dir, path, keeper, captured, writes } = await keeperOnMockTime(t);
    keeper.start();
    t.mock.timers.tick(999);
    assert.deepEqual(captured, [], 'nothing before the first second');
    t.mock.timers.tick(1);
    assert.deepEqual(captured, [1000]);
    await writes(1);
    t.mock.timers.tick(999);
    assert.deepEqual(captured, [1000]);
    t.mock.timers.tick(1);
    await writes(2);
    t.mock.timers.tick(600);
    await keeper.stop();
    t.mock.timers.tick(5000);
    assert.deepEqual(captured, [1000, 2000], 'one write a second, none after stop()');
    assert.equal((await readCheckpoint(path)).counters.read, 2);
    assert.deepEqual(await readdir(dir), ['c.json'], 'no temporary file left');
  });

  it('a second that finds a write under way is skipped: one write at a time', async (t) => {
    let release = () => {};
    const { keeper, captured, written, writes } = await keeperOnMockTime(t, {
      beforeWrite: () => new Promise<void>((resolve) => (release = resolve)),
    });
    keeper.start();
    t.mock.timers.tick(1000);
    assert.deepEqual(captured, [1000]);
    // The write of second 1 waits for its flush: seconds 2 and 3 find it under way.
    t.mock.timers.tick(1000);
    t.mock.timers.tick(1000);
    assert.deepEqual(captured, [1000]);
    release();
    await writes(1);
    t.mock.timers.tick(1000);
    assert.deepEqual(captured, [1000, 4000]);
    release();
    await writes(2);
    await keeper.stop();
    assert.deepEqual(written, [1, 2]);
  });
});

describe('CheckpointKeeper checkpoints', () => {
  it('tells when a checkpoint is on disk (afterWrite), with what it recorded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pxs-keeper-'));
    const seen: Array<number | undefined> = [];
    const keeper = new CheckpointKeeper({
      path: join(dir, 'c.json'),
      capture: () => sample(1, 41),
      afterWrite: (checkpoint) => seen.push(checkpoint.sentCeiling),
    });
    await keeper.write();
    assert.deepEqual(seen, [41]);
    assert.equal((await readCheckpoint(join(dir, 'c.json'))).sentCeiling, 41);
  });

  it('refuses a checkpoint whose sentCeiling is not a whole number', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pxs-keeper-'));
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ ...sample(1), sentCeiling: 'x' }));
    await assert.rejects(readCheckpoint(join(dir, 'bad.json')), { code: 'CHECKPOINT_INVALID' });
  });
});
