import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
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

describe('CheckpointKeeper cadence', () => {
  it('writes about once a second by default, never more often, and each write is atomic', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pxs-keeper-'));
    const path = join(dir, 'c.json');
    const times: number[] = [];
    const keeper = new CheckpointKeeper({
      path,
      capture: () => {
        times.push(Date.now());
        return sample(times.length);
      },
    });
    const started = Date.now();
    keeper.start();
    await new Promise((resolve) => setTimeout(resolve, 2600));
    await keeper.stop();
    assert.equal(times.length, 2, `writes at ${times.map((t) => t - started).join(', ')} ms`);
    assert.ok(times[1]! - times[0]! >= 900);
    assert.equal((await readCheckpoint(path)).counters.read, 2);
    assert.deepEqual(await readdir(dir), ['c.json'], 'no temporary file left');
  });

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
