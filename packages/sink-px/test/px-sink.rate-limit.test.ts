/**
 * The sink's rate and its answer to 429s. The timing claims run on virtual time (see
 * helpers/virtual-time.ts): the sink's limiter, the emulator's limits and the scripted servers'
 * stamps all read one clock the test moves, over real sockets, so every figure is exact on
 * any machine. One run in real time checks what a real server can count whatever the machine's
 * speed, with a bound derived from the mechanism.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LAW, type Verdict } from '../src/control-law.js';
import { createPxSink, DEFAULT_RATE, type PxSink } from '../src/index.js';
import { defaultConcurrency } from '../src/options.js';
import { emulatorPool, SECRET_KEY, seedUsers } from './helpers/emulator.js';
import { assertAccounted, assertRecords } from './helpers/landing.js';
import { load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';
import { mostInWindow } from './helpers/starts.js';
import { virtualTime } from './helpers/virtual-time.js';

const idOf = (i: number) => `rl-${i}`;

const limiterOf = (sink: PxSink) => sink.client.session.limiter;

describe('px sink: rate limit and 429s (virtual time)', () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());

  it('default rate 150/s against PX at 200/s: never over 150 starts in a second, 150 in the busiest, no 429', async (t) => {
    const vt = virtualTime(t);
    const ROWS = 400;
    const ids = Array.from({ length: ROWS }, (_, i) => idOf(i));
    // Burst 50: PX's bucket would let 50 through at once; the sink never asks for that.
    const px = await pool.start(
      { rateLimit: { perSecond: 200, burst: 50 } },
      { users: seedUsers(ids) },
      vt.emulatorClocks,
    );
    const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER', clock: vt.clock });
    assert.equal(sink.stats().currentRate, DEFAULT_RATE);
    assert.equal(DEFAULT_RATE, 150);
    const starts = vt.watch(sink.client);
    const result = await vt.run(
      load(
        sink,
        ids.map((id, i) => userRow(i, id, { title: 'rated' })),
      ),
    );
    assertAccounted(sink, result, ROWS);
    assert.equal(result.count('updated'), ROWS);
    assert.equal(starts.length, ROWS);
    // The limiter's claim, exact on its clock: no window of 1005 ms (hence none of 1000) holds
    // more than 150 starts, and it keeps up its rate: the busiest second holds 150.
    assert.equal(mostInWindow(starts, 1005), 150);
    assert.equal(mostInWindow(starts, 1000), 150);
    // PX counted the same on the same clock, and refused nothing.
    const stats = px.stats();
    assert.equal(stats.maxPerSecond, 150);
    assert.equal(stats.rateLimited, 0, 'no 429');
    assert.equal(sink.stats().http429, 0);
    assert.equal(sink.stats().currentRate, 150);
    const expected = new Map(ids.map((id) => [id, { title: 'rated' }]));
    await assertRecords(px, 'users', expected, 0);
  });

  for (const retryAfter of [true, false]) {
    it(`429 storm ${retryAfter ? 'with' : 'without'} Retry-After (PX 40/s, sink 200/s): every row lands, the rate adapts`, async (t) => {
      const vt = virtualTime(t);
      const ROWS = 60;
      const ids = Array.from({ length: ROWS }, (_, i) => idOf(i));
      const px = await pool.start(
        { rateLimit: { perSecond: 40, burst: 5 }, retryAfter },
        { users: seedUsers(ids) },
        vt.emulatorClocks,
      );
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        insertMissing: true,
        rate: 200,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const verdicts: Verdict[] = [];
      let lowestRate = 200;
      limiterOf(sink).onVerdict = (verdict, state) => {
        verdicts.push(verdict);
        lowestRate = Math.min(lowestRate, state.rate);
      };
      // The 429 count, read while rows are pending (at every millisecond).
      let http429MidRun = 0;
      vt.onIdle = () => {
        const stats = sink.stats();
        if (stats.pending > 0) http429MidRun = Math.max(http429MidRun, stats.http429);
      };
      const result = await vt.run(
        load(
          sink,
          ids.map((id, i) => userRow(i, id, { title: `storm ${i}` })),
        ),
      );
      assertAccounted(sink, result, ROWS);
      assert.deepEqual(result.rejections, []);
      assert.equal(result.count('updated'), ROWS);
      await assertRecords(px, 'users', new Map(ids.map((id, i) => [id, { title: `storm ${i}` }])), 0);
      const stats = sink.stats();
      const refused = px.stats().rateLimited;
      assert.ok(stats.http429 > 0, 'the storm happened');
      assert.ok(http429MidRun > 0, 'the 429 count was readable during the run');
      assert.equal(stats.http429, refused);
      assert.equal(stats.retries, refused, 'each 429 retried once');
      // Without adaptation a 200/s sender against 40/s would be refused about 4 times in 5.
      assert.ok(refused < ROWS / 2, `${refused} requests refused for ${ROWS} rows: ${verdicts.join()}`);
      assert.ok(lowestRate <= 100, `the shared rate was lowered (lowest ${lowestRate}/s)`);
      // The 429s never raised the requests in flight (the law owns the rate): the cap stayed
      // where it starts, 200/s × 0.25.
      assert.equal(stats.peakConcurrency, 50);
      assert.ok(stats.concurrency <= 50);
    });
  }

  it('Retry-After (delay-seconds) pauses the whole limiter, not just the refused request', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted(
      (_request, index) =>
        index === 0
          ? {
              status: 429,
              headers: { 'retry-after': '1' },
              body: pxError('TOO_MANY_REQUESTS', 'Rate limit exceeded'),
            }
          : { status: 204 },
      vt.clock,
    );
    try {
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 10,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const result = await vt.run(load(sink, [userRow(0, 'first'), userRow(1, 'second')]));
      assert.equal(result.count('updated'), 2);
      // Request 1 (the other row) was due 100 ms after request 0 (10/s), but waited out the
      // pause: it went at 1000 ms; the retry of row 0 one slot after it, at the rate the 429
      // trimmed (10/s less the law's margin: a slot of 101.5 ms, on a 1 ms timer).
      const slot = Math.ceil(1000 / (10 * (1 - LAW.margin)));
      assert.deepEqual(
        px.seen.map((r) => [r.url.split('/').at(-1), r.at]),
        [
          ['first', 0],
          ['second', 1000],
          ['first', 1000 + slot],
        ],
      );
      assert.equal(sink.stats().http429, 1);
      assert.ok(sink.stats().currentRate < 10, 'the 429 lowered the rate');
    } finally {
      await px.close();
    }
  });

  it('Retry-After as an HTTP date is honoured (whole seconds)', async (t) => {
    const vt = virtualTime(t);
    let retryAt = 0;
    const px = await scripted(async (_request, index) => {
      if (index > 0) return { status: 204 };
      // Answered 500 ms into the run, with a date 2 s later: the header drops the half second.
      await vt.sleep(500);
      retryAt = Date.now() + 2000;
      return { status: 503, headers: { 'retry-after': new Date(retryAt).toUTCString() }, body: 'busy' };
    }, vt.clock);
    try {
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 10,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const result = await vt.run(load(sink, [userRow(0, 'only')]));
      assert.equal(result.count('updated'), 1);
      assert.equal(new Date(retryAt).toUTCString(), new Date(retryAt - 500).toUTCString());
      // Sent at 0, answered at 500 with a date that means 2000 (whole seconds): sent again then.
      assert.deepEqual(
        px.seen.map((r) => r.at),
        [0, 2000],
      );
    } finally {
      await px.close();
    }
  });
});

describe('px sink: rate limit in real time', () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());

  it('default rate over real sockets and timers: every row lands; PX never sees more than rate + in-flight cap in a second', async () => {
    const ROWS = 400;
    const ids = Array.from({ length: ROWS }, (_, i) => idOf(i));
    const px = await pool.start({}, { users: seedUsers(ids) });
    const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER' });
    const result = await load(
      sink,
      ids.map((id, i) => userRow(i, id, { title: 'real' })),
    );
    assertAccounted(sink, result, ROWS);
    assert.equal(result.count('updated'), ROWS);
    // A bound from the mechanism, whatever the machine's speed: the requests PX counts in any
    // second (t - 1000, t] either were let through by the limiter within that second (at most
    // 150: it holds every 1005 ms to floor(rate) starts) or earlier, and were then still in
    // flight at t - 1000 (at most the in-flight cap, its largest of the run: 38 at 150/s unless
    // a stalled machine held answers back long enough to fill it). A stalled machine bunches
    // arrivals up, within that bound; a limiter not holding its rate goes past it (400 rows in
    // far less than a second).
    const peak = sink.stats().peakConcurrency;
    assert.ok(peak >= defaultConcurrency(DEFAULT_RATE) && peak <= 512, `${peak} in flight at most`);
    const bound = DEFAULT_RATE + peak;
    const { maxPerSecond, rateLimited } = px.stats();
    assert.ok(maxPerSecond <= bound, `PX saw ${maxPerSecond} requests in one second`);
    assert.equal(rateLimited, 0);
    assert.equal(sink.stats().currentRate, DEFAULT_RATE, 'nothing refused: the rate never moved');
    await assertRecords(px, 'users', new Map(ids.map((id) => [id, { title: 'real' }])), 0);
  });
});
