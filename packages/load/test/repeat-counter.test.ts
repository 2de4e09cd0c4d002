import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { fingerprint, RepeatCounter } from '../src/run/repeat-counter.js';

const leftovers = async () =>
  (await readdir(tmpdir())).filter((name) => name.startsWith('pxstream-repeats-'));

describe('RepeatCounter: ids on more than one row, in bounded memory', () => {
  it('counts each repeated id once, however often it repeats, in memory when few', () => {
    const counter = new RepeatCounter();
    for (const id of ['a', 'b', 'a', 'c', 'a', 'b', 'd']) counter.add(id);
    assert.equal(counter.count(), 2);
    assert.equal(counter.spilled, 0);
  });

  it('spills sorted runs to temporary files and merges them: the same count, the files removed', async () => {
    const before = await leftovers();
    const counter = new RepeatCounter(1000);
    // 10,000 distinct ids, then every 7th again (1,429 repeated), then one id a third time.
    for (let i = 0; i < 10_000; i++) counter.add(`user-${i}`);
    for (let i = 0; i < 10_000; i += 7) counter.add(`user-${i}`);
    counter.add('user-0');
    assert.ok(counter.spilled >= 11, `${counter.spilled} runs written`);
    assert.equal(counter.count(), 1429);
    assert.deepEqual(await leftovers(), before, 'no temporary file is left');
  });

  it('ids that differ only slightly get different fingerprints; a fingerprint is a safe integer', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) {
      const value = fingerprint(`id-${i}`);
      assert.ok(Number.isSafeInteger(value) && value >= 0);
      seen.add(value);
    }
    assert.equal(seen.size, 200_000);
    assert.notEqual(fingerprint('ab'), fingerprint('ba'));
  });
});
