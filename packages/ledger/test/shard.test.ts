import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { found, Shard } from '../src/shard.js';

/** A small seeded PRNG (mulberry32), so a failure replays. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Random puts, removes and gets against a Map, on keys crowded into few fingerprints (many
 * share t, or t and x), through overlay growth, merges, and a reload of the base as a
 * snapshot would do it.
 */
function check(matchA: boolean, seed: number) {
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const ts = Array.from({ length: 300 }, () => (next() * 2 ** 32) >>> 0);
  const shard = new Shard(matchA);
  const model = new Map<string, number[]>();
  for (let op = 0; op < 60_000; op++) {
    const t = ts[pick(ts.length)]!;
    const x = matchA ? 0 : pick(4); // events are keyed by (t, a): the table gives them x = 0
    const a = matchA ? pick(3) : (next() * 2 ** 32) >>> 0;
    const key = matchA ? `${t}/${a}` : `${t}/${x}`;
    const roll = next();
    const held = model.get(key);
    if (roll < 0.45) {
      const b = (next() * (matchA ? 2 ** 16 : 2 ** 32)) >>> 0; // events keep a 16-bit value
      assert.equal(shard.put(t, x, a, b), held ? held[1] : -1);
      model.set(key, [a, b]);
    } else if (roll < 0.6 && matchA) {
      assert.equal(shard.remove(t, x, a), held ? held[1] : -1);
      model.delete(key);
    } else {
      const queryA = held && !matchA ? 0 : a; // records look up without the value
      assert.equal(shard.get(t, x, queryA), held !== undefined, `get ${key} at op ${op}`);
      if (held) assert.deepEqual([found.a, found.b], held);
    }
    if (op % 20_000 === 19_999) {
      shard.merge();
      const { words, column } = shard.view();
      assert.equal(shard.load(words.slice(), column.slice()), true);
      assert.equal(shard.baseCount, model.size);
    }
  }
}

describe('Shard', () => {
  it('agrees with a Map for records (key t, x; value a, b)', () => {
    for (const seed of [1, 2, 3]) check(false, seed);
  });

  it('agrees with a Map for events (key t, a; 16-bit values; removals)', () => {
    for (const seed of [4, 5, 6]) check(true, seed);
  });

  it('refuses to load entries out of order, in either layout', () => {
    assert.equal(new Shard(false).load(new Uint32Array([5, 0, 0, 3, 0, 0]), new Uint8Array(2)), false);
    assert.equal(new Shard(true).load(new Uint32Array([5, 0, 3, 0]), new Uint16Array(2)), false);
    assert.equal(new Shard(true).load(new Uint32Array([3, 0, 5, 0]), new Uint16Array(2)), true);
  });
});
