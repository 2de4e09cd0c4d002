import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPxSink, DEFAULT_RATE, type PxSink } from '../src/index.js';
import { emulatorPool, SECRET_KEY, seed, seedUsers } from './helpers/emulator.js';
import { emulatorProcess } from './helpers/emulator-process.js';
import { assertAccounted, assertRecords } from './helpers/landing.js';
import { load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';
import { mostInWindow, ONE_SECOND_MS, recordStarts } from './helpers/starts.js';

const idOf = (i: number) => `rl-${i}`;

/** Samples the sink's stats while rows are pending: the lowest rate, the most 429s counted. */
function watch(sink: PxSink): () => { lowestRate: number; http429: number } {
  let lowestRate = sink.stats().currentRate;
  let http429 = 0;
  const timer = setInterval(() => {
    const stats = sink.stats();
    lowestRate = Math.min(lowestRate, stats.currentRate);
    if (stats.pending > 0) http429 = Math.max(http429, stats.http429);
  }, 20);
  return () => {
    clearInterval(timer);
    return { lowestRate, http429 };
  };
}

describe('px sink: rate limit and 429s', () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());

  it('default rate 150/s against PX at 200/s: no start window over 150 requests, no 429', async () => {
    const ROWS = 400;
    // Its own process: arrival times are stamped on an event loop the test does not share.
    // Burst 50: a pause of a quarter second in delivering requests (a busy machine) is absorbed.
    const px = await emulatorProcess(['--rate', '200', '--burst', '50', '--api-key', SECRET_KEY]);
    try {
      await seed(px, { users: seedUsers(Array.from({ length: ROWS }, (_, i) => idOf(i))) });
      const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER' });
      assert.equal(sink.stats().currentRate, DEFAULT_RATE);
      assert.equal(DEFAULT_RATE, 150);
      const starts = recordStarts(sink.client);
      const result = await load(
        sink,
        Array.from({ length: ROWS }, (_, i) => userRow(i, idOf(i), { title: 'rated' })),
      );
      assertAccounted(sink, result, ROWS);
      assert.equal(result.count('updated'), ROWS);
      // The exact claim, on the sink's own clock: no 1000 ms holds more than 150 request starts.
      assert.equal(starts.length, ROWS);
      const most = mostInWindow(starts, ONE_SECOND_MS);
      assert.ok(most <= 150, `${most} requests started within one second`);
      assert.ok(most >= 120, `the sink kept up its rate (${most} in the busiest second)`);
      // End to end: PX never refused a request. Its per-second count moves with delivery jitter
      // between the processes (a stalled loop delivers several requests at once), hence the
      // margin: 20% over the client's rate (a fresh-clone CI run on 2 busy cores saw 166).
      const stats = await px.stats();
      assert.equal(stats.rateLimited, 0, 'no 429');
      assert.equal(sink.stats().http429, 0);
      assert.ok(stats.maxPerSecond <= 180, `the emulator saw ${stats.maxPerSecond} requests in one second`);
      assert.equal(sink.stats().currentRate, 150);
      const expected = new Map(Array.from({ length: ROWS }, (_, i) => [idOf(i), { title: 'rated' }]));
      await assertRecords(px, 'users', expected, 0);
    } finally {
      await px.close();
    }
  });

  // The two storms run side by side (each against its own emulator) to keep the suite short.
  describe('429 storms', { concurrency: true }, () => {
    for (const retryAfter of [true, false]) {
      it(`429 storm ${retryAfter ? 'with' : 'without'} Retry-After (PX 40/s, sink 200/s): every row lands, the rate adapts`, async () => {
        const ROWS = 60;
        const ids = Array.from({ length: ROWS }, (_, i) => idOf(i));
        const px = await pool.start(
          { rateLimit: { perSecond: 40, burst: 5 }, retryAfter },
          { users: seedUsers(ids) },
        );
        const sink = createPxSink({
          baseUrl: px.baseUrl,
          apiKey: SECRET_KEY,
          type: 'USER',
          insertMissing: true,
          rate: 200,
        });
        const watched = watch(sink);
        const result = await load(
          sink,
          ids.map((id, i) => userRow(i, id, { title: `storm ${i}` })),
        );
        const { lowestRate, http429 } = watched();
        assertAccounted(sink, result, ROWS);
        assert.deepEqual(result.rejections, []);
        assert.equal(result.count('updated'), ROWS);
        await assertRecords(px, 'users', new Map(ids.map((id, i) => [id, { title: `storm ${i}` }])), 0);
        const stats = sink.stats();
        const refused = px.stats().rateLimited;
        assert.ok(stats.http429 > 0, 'the storm happened');
        assert.ok(http429 > 0, 'the 429 count was readable during the run');
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
