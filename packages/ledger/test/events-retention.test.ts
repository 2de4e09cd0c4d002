import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hashBody, type Ledger, type LedgerTarget, openLedger } from '../src/index.js';
import { EVENTS, eventHash, tempDir, USERS } from './helpers/temp.js';

const DAY_MS = 86_400_000;
/** A fake clock: some hours into UTC day `day` (any hour of a day is the same day). */
const on = (day: number) => day * DAY_MS + 13 * 3_600_000;

const FIXTURE = new URL('../../../test/fixtures/legacy-events-ledger/ledger/', import.meta.url).pathname;
const FORMAT_2 = new URL('./fixtures/format-2-events-ledger/', import.meta.url).pathname;
/** A snapshot's size: header, 256 shard headers, then `entries` of `bytes` each. */
const snapshotBytes = (entries: number, bytes: number) => 36 + 256 * 8 + entries * bytes;

async function withLedger<T>(
  options: Parameters<typeof openLedger>[0],
  use: (ledger: Ledger) => T | Promise<T>,
): Promise<T> {
  const ledger = await openLedger(options);
  try {
    return await use(ledger);
  } finally {
    await ledger.close();
  }
}

/** Each hash's state and the counts, as a read-only open at `day` sees them. */
function readAt(dir: string, day: number, hashes: string[], target: LedgerTarget = EVENTS) {
  return withLedger({ dir, target, readOnly: true, now: on(day) }, (ledger) => ({
    states: hashes.map((hash) => ledger.eventState(hash)),
    counts: ledger.counts(),
  }));
}

/** A small seeded PRNG (mulberry32), so a failure replays. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The (version, generation) in a snapshot's header. */
async function snapshotHeader(dir: string): Promise<[number, number]> {
  const bytes = await readFile(join(dir, 'snapshot.bin'));
  return [bytes.readUInt32LE(4), bytes.readUInt32LE(12)];
}

describe('events retention window', () => {
  it('keeps an event for 30 days by default, forgets it on the 31st, and so do the files after a writable open', async () => {
    const dir = await tempDir();
    const hash = eventHash(1);
    await withLedger({ dir, target: EVENTS, now: on(1) }, (ledger) => ledger.confirmEvent(hash));

    const day30 = await readAt(dir, 30, [hash]);
    assert.deepEqual(day30.states, ['confirmed']);
    assert.equal(day30.counts.expiredEvents, 0);
    const day31 = await readAt(dir, 31, [hash]);
    assert.deepEqual(day31.states, [undefined], 'stamped day 1, 30 days old on day 31');
    assert.deepEqual([day31.counts.confirmedEvents, day31.counts.expiredEvents], [0, 1]);
    assert.deepEqual(
      (await readAt(dir, 30, [hash])).states,
      ['confirmed'],
      'a read-only open writes nothing',
    );

    await withLedger({ dir, target: EVENTS, now: on(31) }, (ledger) => {
      assert.equal(ledger.eventState(hash), undefined);
      assert.equal(ledger.counts().expiredEvents, 1);
    });
    assert.deepEqual(
      await snapshotHeader(dir),
      [3, 1],
      'the close compacted: the expired event is off the disk',
    );
    const old = await readAt(dir, 2, [hash]);
    assert.deepEqual(old.states, [undefined], 'an open with an older clock does not bring it back');
    assert.deepEqual([old.counts.confirmedEvents, old.counts.expiredEvents], [0, 0]);
  });

  it('drops only the expired ones, pending or confirmed; a confirm restamps a pending event', async () => {
    const dir = await tempDir();
    const [a, p1, b, p5, c, late] = Array.from({ length: 6 }, (_, n) => eventHash(n));
    await withLedger({ dir, target: EVENTS, now: on(1) }, async (ledger) => {
      ledger.confirmEvent(a!);
      await ledger.markPending(p1!);
      await ledger.markPending(late!);
    });
    await withLedger({ dir, target: EVENTS, now: on(5) }, async (ledger) => {
      ledger.confirmEvent(b!);
      await ledger.markPending(p5!);
    });
    await withLedger({ dir, target: EVENTS, now: on(20) }, (ledger) => {
      ledger.confirmEvent(c!);
      ledger.confirmEvent(late!); // marked on day 1, confirmed on day 20: stamped day 20
    });
    const all = [a!, p1!, b!, p5!, c!, late!];

    const day31 = await readAt(dir, 31, all);
    assert.deepEqual(day31.states, [undefined, undefined, 'confirmed', 'pending', 'confirmed', 'confirmed']);
    assert.deepEqual(day31.counts, {
      records: 0,
      pendingEvents: 1,
      confirmedEvents: 3,
      expiredEvents: 2,
      uncommitted: 0,
    });
    const day35 = await readAt(dir, 35, all);
    assert.deepEqual(day35.states, [undefined, undefined, undefined, undefined, 'confirmed', 'confirmed']);
    assert.equal(day35.counts.expiredEvents, 4);
    const day50 = await readAt(dir, 50, all);
    assert.deepEqual(day50.states, Array(6).fill(undefined));
    assert.deepEqual([day50.counts.pendingEvents, day50.counts.confirmedEvents], [0, 0]);
  });

  it('lets an expired event be marked and sent again, stamped with the new day', async () => {
    const dir = await tempDir();
    const hash = eventHash(7);
    await withLedger({ dir, target: EVENTS, now: on(1) }, (ledger) => ledger.confirmEvent(hash));
    await withLedger({ dir, target: EVENTS, now: on(40) }, async (ledger) => {
      assert.equal(await ledger.markPending(hash), true, 'forgotten: a rerun sends it again');
      ledger.confirmEvent(hash);
    });
    assert.deepEqual((await readAt(dir, 69, [hash])).states, ['confirmed']);
    assert.deepEqual((await readAt(dir, 70, [hash])).states, [undefined]);
  });

  it('takes a custom retentionDays, and refuses bad values and clocks (LEDGER_INVALID_OPTION)', async () => {
    const dir = await tempDir();
    const hash = eventHash(1);
    await withLedger({ dir, target: EVENTS, now: on(1), retentionDays: 7 }, (ledger) =>
      ledger.confirmEvent(hash),
    );
    const read = (day: number, retentionDays: number) =>
      withLedger({ dir, target: EVENTS, readOnly: true, now: on(day), retentionDays }, (ledger) =>
        ledger.eventState(hash),
      );
    assert.equal(await read(7, 7), 'confirmed');
    assert.equal(await read(8, 7), undefined);
    assert.equal(await read(8, 30), 'confirmed', 'the window is the open’s, not the recording’s');
    assert.equal(await read(2, 1), undefined, 'retentionDays 1: the day of the run only');

    for (const retentionDays of [
      0,
      -1,
      1.5,
      4097,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '30' as unknown as number,
    ]) {
      for (const readOnly of [false, true]) {
        await assert.rejects(
          openLedger({ dir, target: EVENTS, readOnly, retentionDays }),
          { code: 'LEDGER_INVALID_OPTION' },
          `retentionDays ${String(retentionDays)}`,
        );
      }
    }
    for (const now of [Number.NaN, -1, 0, DAY_MS - 1, Number.POSITIVE_INFINITY]) {
      await assert.rejects(
        openLedger({ dir, target: EVENTS, now }),
        { code: 'LEDGER_INVALID_OPTION' },
        `now ${now}`,
      );
    }
    // The refusals took no lock and changed nothing.
    await withLedger({ dir, target: EVENTS, now: on(2) }, (ledger) =>
      assert.equal(ledger.eventState(hash), 'confirmed'),
    );
  });

  it('keeps the day stamps through journal replay (the journal ops carry them in w3)', async () => {
    const dir = await tempDir();
    const hash = eventHash(3);
    await withLedger({ dir, target: EVENTS, now: on(20_000) }, async (ledger) => {
      ledger.confirmEvent(hash);
      await ledger.flush();
      const journal = await readFile(join(dir, 'journal.bin'));
      // header (16), frame header (8), then the op: [op u8][w0][w1][w2][w3]
      assert.deepEqual([journal[24], journal.readUInt32LE(24 + 13)], [3, 20_000]);
    });
    await assert.rejects(readFile(join(dir, 'snapshot.bin')), { code: 'ENOENT' }, 'not compacted');
    assert.deepEqual((await readAt(dir, 20_029, [hash])).states, ['confirmed']);
    assert.deepEqual((await readAt(dir, 20_030, [hash])).states, [undefined]);
  });

  it('counts as expired only what the journal did not renew (a pending event confirmed later)', async () => {
    const dir = await tempDir();
    const [pendingThenConfirmed, old, recent] = [eventHash(1), eventHash(2), eventHash(3)];
    await withLedger({ dir, target: EVENTS, now: on(1) }, async (ledger) => {
      await ledger.markPending(pendingThenConfirmed);
      ledger.confirmEvent(old);
      await ledger.compact(); // both in the snapshot, stamped day 1
    });
    await withLedger({ dir, target: EVENTS, now: on(20) }, (ledger) => {
      ledger.confirmEvent(pendingThenConfirmed); // in the journal only, stamped day 20
      ledger.confirmEvent(recent);
    });
    const hashes = [pendingThenConfirmed, old, recent];
    const day31 = await readAt(dir, 31, hashes);
    assert.deepEqual(day31.states, ['confirmed', undefined, 'confirmed']);
    assert.deepEqual([day31.counts.confirmedEvents, day31.counts.expiredEvents], [2, 1]);
    await withLedger({ dir, target: EVENTS, now: on(31) }, (ledger) => {
      assert.deepEqual([ledger.counts().confirmedEvents, ledger.counts().expiredEvents], [2, 1]);
    });
    const day50 = await readAt(dir, 50, hashes); // the journal is empty now: dropped as read
    assert.deepEqual(day50.states, [undefined, undefined, undefined]);
    assert.deepEqual([day50.counts.confirmedEvents, day50.counts.expiredEvents], [0, 2]);
  });

  it('counts ages modulo 2^14 days: exact across a wrap, up to the longest window (4096), and a later stamp (clock set back) is kept', async () => {
    const dir = await tempDir();
    const [wrapped, longest, ahead] = [eventHash(1), eventHash(2), eventHash(3)];
    // 32_760 keeps 16_376 (its day modulo 2^14): 30 days on, the open's day keeps 6.
    await withLedger({ dir, target: EVENTS, now: on(32_760) }, (ledger) => ledger.confirmEvent(wrapped));
    assert.deepEqual((await readAt(dir, 32_789, [wrapped])).states, ['confirmed']);
    assert.deepEqual((await readAt(dir, 32_790, [wrapped])).states, [undefined]);

    const window = { dir: await tempDir(), target: EVENTS, retentionDays: 4096 };
    await withLedger({ ...window, now: on(100) }, (ledger) => ledger.confirmEvent(longest));
    const longRead = (day: number) =>
      withLedger({ ...window, readOnly: true, now: on(day) }, (ledger) => ledger.eventState(longest));
    assert.equal(await longRead(100 + 4095), 'confirmed');
    assert.equal(await longRead(100 + 4096), undefined);

    const back = await tempDir();
    await withLedger({ dir: back, target: EVENTS, now: on(200) }, (ledger) => ledger.confirmEvent(ahead));
    await withLedger({ dir: back, target: EVENTS, now: on(150) }, (ledger) => {
      assert.equal(ledger.eventState(ahead), 'confirmed', 'stamped 50 days after this open: kept');
      assert.equal(ledger.counts().expiredEvents, 0);
    });
    assert.deepEqual((await readAt(back, 229, [ahead])).states, ['confirmed']);
    assert.deepEqual((await readAt(back, 230, [ahead])).states, [undefined], 'its window runs from its day');
  });

  it('agrees with a model through random days of marks, confirms, releases and compactions (read-only and writable opens)', async () => {
    const dir = await tempDir();
    const next = random(11);
    const pick = (n: number) => Math.floor(next() * n);
    const RETENTION = 6;
    const hashes = Array.from({ length: 400 }, (_, n) => eventHash(n));
    const model = new Map<string, { state: 'pending' | 'confirmed'; day: number }>();
    const expected = (day: number) => {
      const states = hashes.map((hash) => {
        const entry = model.get(hash);
        return entry && day - entry.day < RETENTION ? entry.state : undefined;
      });
      const live = states.filter((state) => state !== undefined);
      return {
        states,
        counts: {
          records: 0,
          pendingEvents: live.filter((state) => state === 'pending').length,
          confirmedEvents: live.filter((state) => state === 'confirmed').length,
          expiredEvents: model.size - live.length,
          uncommitted: 0,
        },
      };
    };
    const options = { dir, target: EVENTS, retentionDays: RETENTION, durability: 'os' as const };
    for (let day = 1; day <= 16; day += 1 + pick(2)) {
      // What any open on a day from now sees, before this day's writes (read-only: no change).
      for (const ahead of [0, RETENTION - 1, RETENTION + 1]) {
        const seen = await withLedger({ ...options, readOnly: true, now: on(day + ahead) }, (ledger) => ({
          states: hashes.map((hash) => ledger.eventState(hash)),
          counts: ledger.counts(),
        }));
        assert.deepEqual(seen, expected(day + ahead), `read-only on day ${day + ahead}, before day ${day}`);
      }
      await withLedger({ ...options, now: on(day) }, async (ledger) => {
        assert.deepEqual(ledger.counts(), expected(day).counts, `writable open on day ${day}`);
        for (const [hash, entry] of model) if (day - entry.day >= RETENTION) model.delete(hash);
        for (let n = 0; n < 60; n++) {
          const hash = hashes[pick(hashes.length)]!;
          const entry = model.get(hash);
          const roll = next();
          if (roll < 0.4) {
            assert.equal(await ledger.markPending(hash), entry === undefined);
            if (!entry) model.set(hash, { state: 'pending', day });
          } else if (roll < 0.8) {
            ledger.confirmEvent(hash);
            if (entry?.state !== 'confirmed') model.set(hash, { state: 'confirmed', day });
          } else {
            assert.equal(ledger.releaseEvent(hash), entry?.state === 'pending');
            if (entry?.state === 'pending') model.delete(hash);
          }
          if (n === 30 && next() < 0.2) await ledger.compact();
        }
      });
    }
  });

  it('drops the expired entries of a large snapshot as it reads it, and the table grows again after', async () => {
    const dir = await tempDir();
    const hashes = Array.from({ length: 20_000 }, (_, n) => eventHash(n));
    for (const day of [1, 2]) {
      await withLedger({ dir, target: EVENTS, now: on(day), durability: 'os' }, async (ledger) => {
        for (const hash of hashes.slice((day - 1) * 10_000, day * 10_000)) ledger.confirmEvent(hash);
        await ledger.compact();
      });
    }
    await withLedger({ dir, target: EVENTS, now: on(31), durability: 'os' }, (ledger) => {
      assert.deepEqual([ledger.counts().confirmedEvents, ledger.counts().expiredEvents], [10_000, 10_000]);
      const missing = hashes.filter((hash, n) => (ledger.eventState(hash) === undefined) !== n < 10_000);
      assert.deepEqual(missing, []);
      for (const hash of hashes.slice(0, 5_000)) ledger.confirmEvent(hash); // sent again: day 31
    });
    const states = (day: number) =>
      withLedger({ dir, target: EVENTS, readOnly: true, now: on(day) }, (ledger) => ({
        counts: ledger.counts(),
        wrong: hashes.filter((hash, n) => {
          const expected = n < 5_000 || (n >= 10_000 && day < 32) ? 'confirmed' : undefined;
          return ledger.eventState(hash) !== expected;
        }).length,
      }));
    const day31 = await states(31);
    assert.deepEqual([day31.wrong, day31.counts.confirmedEvents, day31.counts.expiredEvents], [0, 15_000, 0]);
    const day32 = await states(32);
    assert.deepEqual(
      [day32.wrong, day32.counts.confirmedEvents, day32.counts.expiredEvents],
      [0, 5_000, 10_000],
    );
  });

  it('keeps the day stamps through compaction, and writes events snapshots as version 3, 10 bytes an entry (records: 1, 13)', async () => {
    const dir = await tempDir();
    const [first, second] = [eventHash(1), eventHash(2)];
    await withLedger({ dir, target: EVENTS, now: on(100) }, async (ledger) => {
      ledger.confirmEvent(first);
      await ledger.compact();
    });
    assert.deepEqual(await snapshotHeader(dir), [3, 1]);
    assert.equal((await readFile(join(dir, 'snapshot.bin'))).length, snapshotBytes(1, 10));
    await withLedger({ dir, target: EVENTS, now: on(110) }, async (ledger) => {
      ledger.confirmEvent(second);
      await ledger.compact();
    });
    assert.deepEqual((await readAt(dir, 129, [first, second])).states, ['confirmed', 'confirmed']);
    assert.deepEqual((await readAt(dir, 130, [first, second])).states, [undefined, 'confirmed']);
    assert.deepEqual((await readAt(dir, 140, [first, second])).states, [undefined, undefined]);

    // A writable open that expires nothing and restamps nothing does not rewrite the snapshot.
    await withLedger({ dir, target: EVENTS, now: on(111) }, () => {});
    assert.deepEqual(await snapshotHeader(dir), [3, 2]);

    const users = await tempDir();
    await withLedger({ dir: users, target: USERS, now: on(100) }, async (ledger) => {
      ledger.confirm('u-1', hashBody('{}'));
      await ledger.compact();
    });
    assert.deepEqual(await snapshotHeader(users), [1, 1], 'records keep format 1');
    assert.equal((await readFile(join(users, 'snapshot.bin'))).length, snapshotBytes(1, 13));
    await withLedger({ dir: users, target: USERS, now: on(10_000) }, (ledger) => {
      assert.equal(ledger.hasUnchanged('u-1', hashBody('{}')), true, 'records never expire');
    });
  });
});

describe('a custom-events ledger of format 1 (test/fixtures/legacy-events-ledger)', () => {
  const u5 =
    '{"identifyId":"u-5","eventName":"signed-in","date":1796050800000,"accountId":"ACC-3","url":"https://app/z","attributes":{"plan":"pro","seats":"5"},"userType":"USER","propertyKey":"AP-DEMO00000000-2"}';
  const u6 =
    '{"identifyId":"u-6","eventName":"upgraded","date":1796050801000,"accountId":"ACC-3","url":"https://app/z","attributes":{"plan":"pro","seats":"6"},"userType":"USER","propertyKey":"AP-DEMO00000000-2"}';
  const X = 20_800; // the day of the upgrade

  async function copyFixture(): Promise<{ dir: string; target: LedgerTarget }> {
    const dir = join(await tempDir(), 'ledger');
    await cp(FIXTURE, dir, { recursive: true });
    const meta = JSON.parse(await readFile(join(dir, 'ledger.json'), 'utf8')) as { target: LedgerTarget };
    return { dir, target: meta.target };
  }

  it('is read with its states; its entries get the day of the upgrade and live one window from it', async () => {
    const { dir, target } = await copyFixture();
    assert.deepEqual(await snapshotHeader(dir), [1, 1]);
    await withLedger({ dir, target, now: on(X) }, (ledger) => {
      assert.deepEqual(ledger.counts(), {
        records: 0,
        pendingEvents: 1,
        confirmedEvents: 5,
        expiredEvents: 0,
        uncommitted: 0,
      });
      assert.equal(ledger.eventState(hashBody(u5)), 'pending', 'u-5 died on the wire: in doubt');
      assert.equal(ledger.eventState(hashBody(u6)), 'confirmed');
    });
    assert.deepEqual(await snapshotHeader(dir), [3, 2], 'the first writable close rewrote it as version 3');

    const hashes = [hashBody(u5), hashBody(u6)];
    const later = await readAt(dir, X + 29, hashes, target);
    assert.deepEqual(later.states, ['pending', 'confirmed']);
    assert.deepEqual([later.counts.pendingEvents, later.counts.confirmedEvents], [1, 5]);
    const expired = await readAt(dir, X + 30, hashes, target);
    assert.deepEqual(expired.states, [undefined, undefined]);
    assert.deepEqual(
      [expired.counts.pendingEvents, expired.counts.confirmedEvents, expired.counts.expiredEvents],
      [0, 0, 6],
    );
  });

  it('takes the day of the upgrade even when that day is 0 modulo 2^14 (no day is reserved)', async () => {
    const { dir, target } = await copyFixture();
    const hashes = [hashBody(u5), hashBody(u6)];
    await withLedger({ dir, target, now: on(32_768) }, () => {});
    assert.deepEqual((await readAt(dir, 32_768 + 29, hashes, target)).states, ['pending', 'confirmed']);
    assert.deepEqual((await readAt(dir, 32_768 + 30, hashes, target)).states, [undefined, undefined]);
  });

  it('is read, unchanged on disk, by a read-only open (stamped in memory only)', async () => {
    const { dir, target } = await copyFixture();
    const before = await Promise.all(['snapshot.bin', 'journal.bin'].map((f) => readFile(join(dir, f))));
    await withLedger({ dir, target, readOnly: true, now: on(X) }, (ledger) => {
      assert.deepEqual([ledger.counts().pendingEvents, ledger.counts().confirmedEvents], [1, 5]);
      assert.equal(ledger.eventState(hashBody(u6)), 'confirmed');
    });
    const after = await Promise.all(['snapshot.bin', 'journal.bin'].map((f) => readFile(join(dir, f))));
    assert.deepEqual(after, before);
    // A later read-only open, far in the future, stamps them with its own day again.
    const far = await readAt(dir, X + 1000, [hashBody(u5), hashBody(u6)], target);
    assert.deepEqual(far.states, ['pending', 'confirmed']);
  });
});

describe('a custom-events ledger of format 2 (test/fixtures/format-2-events-ledger: 13 bytes an entry)', () => {
  const [e0, e1, e2, e3, e4, e5] = [
    '03c67e43842bd28e1a30fe7d7533408b6105b6ae',
    '736e9ad0871691fcf49cd27c692908aed824345e',
    '64892f731e9998958fa02ea8e0b69a83701927be',
    '1efc7154d405282c489f433f3a03625c53eb766a',
    '35a8707243b35d48c22ba84bc366c112bb4f0582',
    'ff7a2777eb5c4cec2ac34ec09848de3daeb03378',
  ];
  /** e3 but for its key byte x (hex digits 10-11), which format 3 does not keep: e3's entry. */
  const twin = '1efc7154d406282c489f433f3a03625c53eb766a';
  const all = [e0!, e1!, e2!, e3!, twin, e4!, e5!];

  async function copyFixture(): Promise<string> {
    const dir = join(await tempDir(), 'ledger');
    await cp(FORMAT_2, dir, { recursive: true });
    return dir;
  }

  it('is read with its states and day stamps (its journal too), e3 and its twin as one entry', async () => {
    const dir = await copyFixture();
    assert.deepEqual(await snapshotHeader(dir), [2, 1]);
    const day = await readAt(dir, 20_815, all);
    assert.deepEqual(day.states, [
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
      undefined,
    ]);
    assert.deepEqual([day.counts.pendingEvents, day.counts.confirmedEvents], [0, 5]);
    // e0 (day 20800) expires on 20830; e1's snapshot entry too, but its journal confirm (20810) renews it.
    const later = await readAt(dir, 20_830, all);
    assert.deepEqual(later.states, [
      undefined,
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
      undefined,
    ]);
    assert.deepEqual([later.counts.confirmedEvents, later.counts.expiredEvents], [4, 1]);
  });

  it('is rewritten in format 3 by the first writable close, its stamps kept', async () => {
    const dir = await copyFixture();
    await withLedger({ dir, target: EVENTS, now: on(20_816) }, (ledger) => {
      assert.deepEqual([ledger.counts().confirmedEvents, ledger.counts().expiredEvents], [5, 0]);
    });
    assert.deepEqual(await snapshotHeader(dir), [3, 2], 'rewritten, though nothing expired');
    assert.equal((await readFile(join(dir, 'snapshot.bin'))).length, snapshotBytes(5, 10));
    assert.deepEqual((await readAt(dir, 20_829, all)).counts.confirmedEvents, 5);
    const day39 = await readAt(dir, 20_839, all);
    assert.deepEqual(day39.states.slice(0, 6), [undefined, ...Array(5).fill('confirmed')]);
    const day40 = await readAt(dir, 20_840, all);
    assert.deepEqual(day40.states, [
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'confirmed',
      undefined,
    ]);
    assert.deepEqual([day40.counts.confirmedEvents, day40.counts.expiredEvents], [1, 4]);
  });
});
