import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPxSink, type PxSink } from '../src/index.js';
import {
  type EmulatorHandle,
  type EmulatorOptions,
  emulator,
  recordsById,
  SECRET_KEY,
  seed,
} from './helpers/emulator.js';
import { emulatorProcess } from './helpers/emulator-process.js';
import { everyRowEndedOnce, load, PRODUCT_KEY, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';

const idOf = (i: number) => `rl-${i}`;

/** Samples the sink's current rate while it runs: the lowest value seen. */
function watchRate(sink: PxSink): () => number {
  let lowest = sink.stats().currentRate;
  const timer = setInterval(() => {
    lowest = Math.min(lowest, sink.stats().currentRate);
  }, 20);
  return () => {
    clearInterval(timer);
    return lowest;
  };
}

describe('px sink: rate limit and 429s', () => {
  const started: EmulatorHandle[] = [];
  const start = async (options: EmulatorOptions, users: number) => {
    const px = await emulator(options);
    started.push(px);
    await seed(px, {
      users: Array.from({ length: users }, (_, i) => ({ identifyId: idOf(i), propertyKeys: [PRODUCT_KEY] })),
    });
    return px;
  };
  after(() => Promise.all(started.map((px) => px.close())));

  it('PX allows 200/s, the sink is set to 150/s: no 429, and no one-second window over 150 requests', async () => {
    const ROWS = 300;
    // Its own process: arrival times are stamped on an event loop the test does not share.
    const px = await emulatorProcess(['--rate', '200', '--burst', '10', '--api-key', SECRET_KEY]);
    try {
      await seed(px, {
        users: Array.from({ length: ROWS }, (_, i) => ({ identifyId: idOf(i), propertyKeys: [PRODUCT_KEY] })),
      });
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        insertMissing: false,
        rate: 150,
      });
      // Warm the connection and the emulator first: the very first request pays TCP set-up and a
      // cold server (10+ ms), which shifts its arrival and would compress the first window.
      for (let i = 0; i < 3; i++) await sink.client.getRecord('USER', idOf(0));
      const result = await load(
        sink,
        Array.from({ length: ROWS }, (_, i) => userRow(i, idOf(i), { title: 'rated' })),
      );
      assert.equal(everyRowEndedOnce(result, ROWS), undefined);
      assert.equal(result.count('updated'), ROWS);
      const stats = await px.stats();
      assert.equal(stats.rateLimited, 0);
      assert.equal(sink.stats().http429, 0);
      // The sink starts at most 150 requests in any 1005 ms; arrival times at the server move by
      // the delivery jitter (a few ms between two processes), hence one request of tolerance.
      assert.ok(stats.maxPerSecond <= 151, `the emulator saw ${stats.maxPerSecond} requests in one second`);
      assert.equal(sink.stats().currentRate, 150);
      const titles = [...(await recordsById(px, 'users')).values()].map((user) => user.title);
      assert.deepEqual(new Set(titles), new Set(['rated']));
    } finally {
      await px.close();
    }
  });

  // The two storms run side by side (each against its own emulator) to keep the suite short.
  describe('429 storms', { concurrency: true }, () => {
    for (const retryAfter of [true, false]) {
      it(`429 storm ${retryAfter ? 'with' : 'without'} Retry-After (PX 40/s, sink 200/s): every row lands, the rate adapts`, async () => {
        const ROWS = 60;
        const px = await start({ rateLimit: { perSecond: 40, burst: 5 }, retryAfter }, ROWS);
        const sink = createPxSink({
          baseUrl: px.baseUrl,
          apiKey: SECRET_KEY,
          type: 'USER',
          insertMissing: true,
          rate: 200,
        });
        const lowest = watchRate(sink);
        const result = await load(
          sink,
          Array.from({ length: ROWS }, (_, i) => userRow(i, idOf(i), { title: `storm ${i}` })),
        );
        const lowestRate = lowest();
        assert.equal(everyRowEndedOnce(result, ROWS), undefined);
        assert.deepEqual(result.rejections, []);
        assert.equal(result.count('updated'), ROWS);
        const records = await recordsById(px, 'users');
        for (let i = 0; i < ROWS; i++) assert.equal(records.get(idOf(i))?.title, `storm ${i}`);
        const stats = sink.stats();
        const refused = px.stats().rateLimited;
        assert.ok(stats.http429 > 0, 'the storm happened');
        assert.equal(stats.http429, refused);
        assert.equal(stats.retries, refused, 'each 429 retried once');
        // Without adaptation a 200/s sender against 40/s would be refused about 4 times in 5.
        assert.ok(refused < ROWS / 2, `${refused} requests refused for ${ROWS} rows`);
        assert.ok(lowestRate <= 100, `the shared rate was lowered (lowest ${lowestRate}/s)`);
      });
    }
  });

  it('Retry-After (delay-seconds) pauses the whole limiter, not just the refused request', async () => {
    const px = await scripted((_request, index) =>
      index === 0
        ? {
            status: 429,
            headers: { 'retry-after': '1' },
            body: pxError('TOO_MANY_REQUESTS', 'Rate limit exceeded'),
          }
        : { status: 204 },
    );
    try {
      const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER', rate: 10 });
      const result = await load(sink, [userRow(0, 'first'), userRow(1, 'second')]);
      assert.equal(result.count('updated'), 2);
      assert.equal(px.seen.length, 3);
      // Request 1 (the other row) was due 100 ms after request 0, but waited out the pause.
      const gap = px.seen[1]!.at - px.seen[0]!.at;
      assert.ok(gap >= 950, `the next request came ${gap.toFixed(0)} ms after the 429`);
      assert.equal(sink.stats().http429, 1);
      assert.ok(sink.stats().currentRate < 10, 'the 429 lowered the rate');
    } finally {
      await px.close();
    }
  });

  it('Retry-After as an HTTP date is honoured', async () => {
    let retryAt = 0;
    const px = await scripted((_request, index) => {
      if (index > 0) return { status: 204 };
      retryAt = Date.now() + 2000;
      return { status: 503, headers: { 'retry-after': new Date(retryAt).toUTCString() }, body: 'busy' };
    });
    try {
      const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER', rate: 10 });
      const result = await load(sink, [userRow(0, 'only')]);
      assert.equal(result.count('updated'), 1);
      // The date has whole seconds: the wait is at least retryAt rounded down, minus clock noise.
      const waited = px.seen[1]!.at - px.seen[0]!.at;
      assert.ok(waited >= 950, `waited ${waited.toFixed(0)} ms`);
    } finally {
      await px.close();
    }
  });
});
