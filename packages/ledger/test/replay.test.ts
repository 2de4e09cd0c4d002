import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OP_BYTES } from '../src/journal.js';
import { JournalChanges, sortByT } from '../src/replay.js';
import { found, Shard } from '../src/shard.js';
import {
  CONFIRMED,
  OP_EVENT_CONFIRMED,
  OP_EVENT_PENDING,
  OP_EVENT_RELEASED,
  OP_RECORD,
  PENDING,
  stamp,
} from '../src/state.js';

/** A small seeded PRNG (mulberry32), so a failure replays. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The (hi, lo) of a key of shard 0 with fingerprint t and x (see FingerprintTable). */
const hiLo = (t: number, x: number) => [t >>> 8, (((t & 0xff) << 24) | (x << 16)) >>> 0] as const;

/** A journal frame's payload: ops [op u8][w0][w1][w2][w3] (see journal.ts). */
function payload(ops: number[][]): Buffer {
  const bytes = Buffer.alloc(ops.length * OP_BYTES);
  for (const [n, [op, ...words]] of ops.entries()) {
    bytes[n * OP_BYTES] = op!;
    for (const [k, word] of words.entries()) bytes.writeUInt32LE(word, n * OP_BYTES + 1 + 4 * k);
  }
  return bytes;
}

/** A shard's entries [t, x, a, b] (events: [t, a, b]), sorted: entries of one t may stand in any order. */
function entries(shard: Shard, matchA: boolean): string[] {
  const { words, column } = shard.view();
  return Array.from(column, (c, e) =>
    matchA
      ? `${words[e * 2]}/${words[e * 2 + 1]}/${c}`
      : `${words[e * 3]}/${c}/${words[e * 3 + 1]}/${words[e * 3 + 2]}`,
  ).sort();
}

/**
 * A base, then a journal of puts and removals on keys crowded into few fingerprints (many
 * share t, or t and x; the same key changed many times), in frames of up to 100 ops: the
 * changes gathered and merged into a copy of the base must leave what the ops applied one by
 * one leave. Events are keyed by (t, a) alone: their x is 0 in the table (FingerprintTable),
 * whatever the op's hash holds there.
 */
function check(kind: 'records' | 'events', seed: number, count: number) {
  const matchA = kind === 'events';
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const ts = Array.from({ length: 200 }, () => (next() * 2 ** 32) >>> 0);
  const key = () => [ts[pick(ts.length)]!, pick(4), matchA ? pick(3) : (next() * 2 ** 32) >>> 0] as const;
  const tableX = (x: number) => (matchA ? 0 : x);
  const value = () => (next() * (matchA ? 2 ** 16 : 2 ** 32)) >>> 0;

  const replayed = new Shard(matchA);
  for (let n = 0; n < 1_500; n++) {
    const [t, x, a] = key();
    replayed.put(t, tableX(x), a, value());
  }
  replayed.merge();
  const { words, column } = replayed.view();
  const merged = new Shard(matchA);
  assert.equal(merged.load(words.slice(), column.slice()), true);

  const changes = new JournalChanges(matchA);
  const touched = new Set<string>();
  let frame: number[][] = [];
  for (let n = 0; n < count; n++) {
    const [t, x, a] = key();
    const [hi, lo] = hiLo(t, x);
    touched.add(`${t}/${tableX(x)}/${matchA ? a : 0}`);
    if (!matchA) {
      const b = value();
      replayed.put(t, x, a, b);
      frame.push([OP_RECORD, hi, lo, a, b]);
    } else if (next() < 0.3) {
      replayed.remove(t, 0, a);
      frame.push([OP_EVENT_RELEASED, hi, lo, a, 0]);
    } else {
      const [op, day] = [next() < 0.5 ? OP_EVENT_PENDING : OP_EVENT_CONFIRMED, 1 + pick(40_000)];
      replayed.put(t, 0, a, stamp(op === OP_EVENT_PENDING ? PENDING : CONFIRMED, day));
      frame.push([op, hi, lo, a, day]);
    }
    if (frame.length === 100 || n === count - 1) {
      changes.addFrame(payload(frame), kind);
      frame = [];
    }
  }
  assert.equal(changes.size, count);
  for (const entry of touched) {
    const [t, x, a] = entry.split('/').map(Number) as [number, number, number];
    assert.equal(changes.touches(0, t, x, a), true);
  }
  const { slots, offsets } = changes.shard(0);
  merged.apply(slots, offsets);
  changes.release(0);
  replayed.merge();
  assert.deepEqual(entries(merged, matchA), entries(replayed, matchA), `seed ${seed}`);
  const { words: mergedWords, column: mergedColumn } = merged.view();
  assert.equal(new Shard(matchA).load(mergedWords.slice(), mergedColumn.slice()), true, 'still sorted');
  assert.equal(changes.touches(0, ts[0]!, 0, 0), false, 'released: no changes left');
}

describe('JournalChanges', () => {
  it('merged shard by shard, leaves what the ops replayed in order leave (records: key t, x)', () => {
    for (const seed of [1, 2, 3]) check('records', seed, 5_000);
  });

  it('the same for events (key t, x, a; removals)', () => {
    for (const seed of [4, 5, 6]) check('events', seed, 5_000);
    check('events', 7, 20); // a few ops: most keys changed once
  });

  it('refuses an op of the other kind, or a day out of range (LEDGER_CORRUPT)', () => {
    const [hi, lo] = hiLo(7, 1);
    for (const [kind, op, w3] of [
      ['records', OP_EVENT_CONFIRMED, 1],
      ['events', OP_RECORD, 1],
      ['events', 9, 1],
      ['events', OP_EVENT_PENDING, 2 ** 30],
    ] as const) {
      assert.throws(
        () => new JournalChanges(kind === 'events').addFrame(payload([[op, hi, lo, 0, w3]]), kind),
        {
          code: 'LEDGER_CORRUPT',
        },
      );
    }
  });

  it('sorts ops by t, ties in journal order, either way (numeric keys or comparisons)', () => {
    const next = random(9);
    const n = 3_000;
    const ops = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) ops[i * 4] = Math.floor(next() * 50) * 0x3000000;
    const fast = sortByT(ops, n);
    assert.deepEqual(
      sortByT(ops, n, undefined, undefined, 16),
      fast,
      'the comparison sort, for 2M ops in a shard',
    );
    for (let i = 1; i < n; i++) {
      const [p, q] = [fast[i - 1]!, fast[i]!];
      assert.ok(ops[p * 4]! < ops[q * 4]! || (ops[p * 4] === ops[q * 4] && p < q));
    }
  });

  it('reads nothing into a shard it gathered nothing for', () => {
    const changes = new JournalChanges(true);
    assert.equal(changes.shard(5).offsets.length, 0);
    assert.equal(changes.touches(5, 1, 0, 2), false);
    const shard = new Shard(true);
    shard.put(1, 2, 3, 4);
    shard.apply(changes.shard(5).slots, changes.shard(5).offsets);
    assert.equal(shard.get(1, 2, 3), true);
    assert.equal(found.b, 4);
  });
});
