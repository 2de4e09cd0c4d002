/**
 * Waiting for PX (availability.ts): PX down or its daily quota spent is never a row's fault. On
 * virtual time (helpers/virtual-time.ts) over real sockets: the spell, the probes and the days
 * are exact, and minutes of waiting take a second or two.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FIRST_PROBE_MS, MAX_PROBE_MS, SPELL_MS } from '../src/availability.js';
import { LAW } from '../src/control-law.js';
import { createPxSink, type PxSink, type PxWaitEvent } from '../src/index.js';
import { emulatorPool, SECRET_KEY, seedUsers } from './helpers/emulator.js';
import { assertAccounted, assertRecords } from './helpers/landing.js';
import { collect, load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';
import { type VirtualTime, virtualTime, WALL_START } from './helpers/virtual-time.js';

const idOf = (i: number) => `wait-${i}`;
const ids = (n: number) => Array.from({ length: n }, (_, i) => idOf(i));
const rows = (n: number, title: string) => ids(n).map((id, i) => userRow(i, id, { title }));
const titled = (n: number, title: string) => new Map(ids(n).map((id) => [id, { title }]));

type Timed<K extends PxWaitEvent['kind']> = Extract<PxWaitEvent, { kind: K }> & { at: number };

/**
 * The waits of a sink: their events with the virtual time of each and the rate right after each
 * end, and the most requests in flight at any moment while waiting.
 */
function waitWatch(vt: VirtualTime) {
  const starts: Timed<'wait-start'>[] = [];
  const ends: Array<Timed<'wait-end'> & { rate: number }> = [];
  let sink: PxSink | undefined;
  let mostInFlightWaiting = 0;
  vt.onIdle = () => {
    if (sink?.stats().waiting) mostInFlightWaiting = Math.max(mostInFlightWaiting, vt.inFlight);
  };
  return {
    starts,
    ends,
    /** The sink's `onWait`. */
    onWait(event: PxWaitEvent) {
      if (event.kind === 'wait-start') starts.push({ ...event, at: vt.now });
      else ends.push({ ...event, at: vt.now, rate: sink?.stats().currentRate ?? Number.NaN });
    },
    watch(watched: PxSink) {
      sink = watched;
      vt.watch(watched.client);
    },
    get mostInFlightWaiting() {
      return mostInFlightWaiting;
    },
  };
}

/** A `wait: false` load of `input` that must stop: the error it stopped with, and the rows' ends. */
async function stoppedLoad(vt: VirtualTime, baseUrl: string, input: ReturnType<typeof rows>, rate?: number) {
  const sink = createPxSink({
    baseUrl,
    apiKey: SECRET_KEY,
    type: 'USER',
    ...(rate === undefined ? {} : { rate }),
    wait: false,
    clock: vt.clock,
  });
  vt.watch(sink.client);
  const ended = collect(sink);
  const error = await vt.run(load(sink, input)).then(
    () => assert.fail('the run should stop'),
    (e: unknown) => e as { code: string; fatal: boolean; status?: number; message: string },
  );
  return { error, ended };
}

const throttled = {
  status: 429,
  headers: { 'retry-after': '1' },
  body: pxError('TOO_MANY_REQUESTS', 'Rate limit exceeded'),
};

describe('px sink: waits for PX instead of rejecting rows (virtual time)', () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());

  for (const kind of ['503', 'reset'] as const) {
    it(`PX down 60 s (${kind}) amid a load at the default rate: no row rejected, one probe at a time, the rest right after`, async (t) => {
      const vt = virtualTime(t);
      const ROWS = 600;
      // Down from the 201st request (1.3 s in at 150/s) for 60 s.
      const px = await pool.start(
        { latency: { fixedMs: 20 }, outage: { afterRequests: 200, forSec: 60, kind } },
        { users: seedUsers(ids(ROWS)) },
        vt.emulatorClocks,
      );
      const waits = waitWatch(vt);
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        clock: vt.clock,
        onWait: waits.onWait,
      });
      waits.watch(sink);
      const result = await vt.run(load(sink, rows(ROWS, `down-${kind}`)));
      assertAccounted(sink, result, ROWS);
      assert.deepEqual(result.rejections, []);
      assert.equal(result.count('updated'), ROWS);
      await assertRecords(px, 'users', titled(ROWS, `down-${kind}`), 0);

      const down = px.stats().outage;
      const stats = sink.stats();
      assert.equal(down.outages, 1);
      assert.equal(stats.waits, 1);
      assert.equal(stats.waiting, false);
      const [start] = waits.starts;
      const [end] = waits.ends;
      assert.ok(start && end && waits.starts.length === 1 && waits.ends.length === 1);
      assert.match(start.answer, kind === '503' ? /^HTTP 503 / : /^connection reset$/);
      // Since the first failure: request 201, 1.33 s in at 150/s.
      const firstFailure = start.since - WALL_START;
      assert.ok(firstFailure >= 1326 && firstFailure <= 1366, `first failure at ${firstFailure} ms`);
      assert.equal(end.waitedMs, stats.waitedMs);
      assert.equal(end.waitedMs, end.at - start.at);
      assert.equal(waits.mostInFlightWaiting, 1, 'one probe at a time while waiting');
      // The retries spent the client's retry quota within a second of failures: the wait began
      // then, and probes went 1, 2, 4, 8, 16 and 32 s apart; the one 63 s in found PX back.
      assert.ok(
        start.at - firstFailure < 1000,
        `the wait began ${start.at - firstFailure} ms into the outage`,
      );
      assert.equal(end.probes, 6);
      const back = firstFailure + 60_000;
      assert.ok(
        end.at >= back && end.at - back < 2 ** 5 * FIRST_PROBE_MS,
        `resumed ${end.at - back} ms after PX came back`,
      );
      assert.ok(down.requests <= 150, `${down.requests} requests sent while PX was down`);
      // The 400 rows left went at the rate of before, 150/s: 2.7 s.
      assert.equal(end.rate, 150);
      assert.ok(vt.now - end.at < 3500, `the rest took ${vt.now - end.at} ms`);
    });
  }

  it('a spent daily quota answering the plain 429: waits for the next day, no row rejected, the rate back at once', async (t) => {
    const vt = virtualTime(t);
    const ROWS = 250;
    // 100 requests a "day" of 60 s: three days.
    const px = await pool.start(
      { latency: { fixedMs: 20 }, dailyQuota: 100, dayLengthSec: 60 },
      { users: seedUsers(ids(ROWS)) },
      vt.emulatorClocks,
    );
    const waits = waitWatch(vt);
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      clock: vt.clock,
      onWait: waits.onWait,
    });
    waits.watch(sink);
    let lowestRate = Number.POSITIVE_INFINITY;
    const sample = vt.onIdle;
    vt.onIdle = () => {
      sample?.();
      lowestRate = Math.min(lowestRate, sink.stats().currentRate);
    };
    const result = await vt.run(load(sink, rows(ROWS, 'daily')));
    assertAccounted(sink, result, ROWS);
    assert.deepEqual(result.rejections, []);
    await assertRecords(px, 'users', titled(ROWS, 'daily'), 0);
    // Day 0 ends its quota 0.7 s in; 30 s of nothing but 429s is a wait, which ends with the
    // first probe of day 1 (at 66 s: probes 1, 2, 4, 8, 16 s after 31 s); the same on day 1.
    assert.equal(sink.stats().waits, 2);
    assert.deepEqual(
      waits.starts.map((start) => start.answer),
      ['HTTP 429 Rate limit exceeded', 'HTTP 429 Rate limit exceeded'],
    );
    for (const start of waits.starts) {
      const spell = start.at - (start.since - WALL_START);
      assert.ok(spell >= SPELL_MS && spell < SPELL_MS + 1500, `a wait began after ${spell} ms of 429s`);
    }
    for (const [day, end] of waits.ends.entries()) {
      assert.ok(
        end.at >= (day + 1) * 60_000 && end.at < (day + 1) * 60_000 + 16_000,
        `wait ${day} ended at ${end.at}`,
      );
      // The 429s drove the law to its floor; the end of the wait gave back the rate of before.
      assert.equal(end.rate, 150);
    }
    assert.ok(lowestRate < 10, `the rate fell to ${lowestRate}/s during the 429s`);
    assert.ok(vt.now < 2 * 60_000 + 20_000, `done at ${vt.now} ms`);
  });

  it('the rate found before the wait comes back, not the configured one nor the floor', async (t) => {
    const vt = virtualTime(t);
    const ROWS = 500;
    // PX's per-second limit is 100/s: the law finds it from 150/s before the quota runs out.
    const px = await pool.start(
      {
        latency: { fixedMs: 20 },
        rateLimit: { perSecond: 100, burst: 10 },
        dailyQuota: 400,
        dayLengthSec: 60,
      },
      { users: seedUsers(ids(ROWS)) },
      vt.emulatorClocks,
    );
    const waits = waitWatch(vt);
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      clock: vt.clock,
      onWait: waits.onWait,
    });
    waits.watch(sink);
    // The law's level while day 0's quota lasted (the 400th update spends it).
    let rateBefore = 0;
    const sample = vt.onIdle;
    vt.onIdle = () => {
      sample?.();
      if (sink.stats().updated < 400) rateBefore = sink.stats().currentRate;
    };
    const result = await vt.run(load(sink, rows(ROWS, 'found')));
    assertAccounted(sink, result, ROWS);
    assert.deepEqual(result.rejections, []);
    const [end] = waits.ends;
    assert.ok(end);
    assert.ok(rateBefore < 110 && rateBefore > 80, `the law found ${rateBefore}/s`);
    assert.ok(
      Math.abs(end.rate - rateBefore) <= rateBefore * LAW.margin * 2,
      `${end.rate}/s after the wait, ${rateBefore}/s before`,
    );
  });

  it('"quota" in the 429 body: the wait begins at once (a fast path)', async (t) => {
    const vt = virtualTime(t);
    const ROWS = 40;
    const px = await pool.start(
      { dailyQuota: 20, dayLengthSec: 60, dailyQuotaBody: 'quota' },
      { users: seedUsers(ids(ROWS)) },
      vt.emulatorClocks,
    );
    const waits = waitWatch(vt);
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      rate: 100,
      clock: vt.clock,
      onWait: waits.onWait,
    });
    waits.watch(sink);
    const result = await vt.run(load(sink, rows(ROWS, 'fast')));
    assertAccounted(sink, result, ROWS);
    assert.deepEqual(result.rejections, []);
    const [start] = waits.starts;
    assert.ok(start);
    assert.match(start.answer, /^HTTP 429 Daily quota exceeded/);
    assert.equal(start.at, 200, 'the first refusal (the 21st request, at 100/s) began the wait');
    assert.equal(px.stats().rateLimited, 1 + waits.ends[0]!.probes - 1, 'probes only after that');
  });

  it('wait: false: PX down ends the run with PX_UNAVAILABLE (what it answered, since when), no row rejected', async (t) => {
    const vt = virtualTime(t);
    const ROWS = 400;
    const px = await pool.start(
      { outage: { afterRequests: 100, kind: '503' } },
      { users: seedUsers(ids(ROWS)) },
      vt.emulatorClocks,
    );
    const { error, ended } = await stoppedLoad(vt, px.baseUrl, rows(ROWS, 'nowait'));
    assert.equal(error.code, 'PX_UNAVAILABLE');
    assert.equal(error.fatal, true);
    assert.equal(error.status, 503);
    const since = new Date(WALL_START + 667).toISOString();
    assert.match(
      error.message,
      new RegExp(
        `^PX is unavailable at ${px.baseUrl}: it refused or failed every request since ${since} \\(\\d+ requests in \\d+ s; last: HTTP 503 `,
      ),
    );
    assert.equal(ended.rejections.length, 0);
    assert.equal(ended.count('updated'), 100);
    assert.ok(px.stats().outage.requests <= 150, `${px.stats().outage.requests} requests while down`);
  });

  it('wait: false and a spent quota answering the plain 429: PX_UNAVAILABLE after the spell, no row rejected', async (t) => {
    const vt = virtualTime(t);
    const ROWS = 200;
    // 50 requests a "day" of 10 minutes: the day does not turn within the spell.
    const px = await pool.start(
      { dailyQuota: 50, dayLengthSec: 600 },
      { users: seedUsers(ids(ROWS)) },
      vt.emulatorClocks,
    );
    const { error, ended } = await stoppedLoad(vt, px.baseUrl, rows(ROWS, 'plain'), 100);
    // Nothing in PX's answer says "quota": the spell of nothing but 429s says it.
    assert.equal(error.code, 'PX_UNAVAILABLE');
    assert.equal(error.fatal, true);
    assert.equal(error.status, 429);
    assert.match(error.message, /\(\d+ requests in (\d+) s; last: HTTP 429 Rate limit exceeded\)$/);
    const seconds = Number(/in (\d+) s;/.exec(error.message)![1]);
    assert.ok(seconds * 1000 >= SPELL_MS - 500 && vt.now < SPELL_MS + 2000, `stopped after ${seconds} s`);
    assert.equal(ended.rejections.length, 0, 'a 429 is never a row fault');
    assert.equal(ended.count('updated'), 50);
  });

  it('wait: false and "quota" in the 429 body: PX_DAILY_QUOTA at once', async (t) => {
    const vt = virtualTime(t);
    const px = await pool.start(
      { dailyQuota: 5, dailyQuotaBody: 'quota' },
      { users: seedUsers(ids(20)) },
      vt.emulatorClocks,
    );
    const { error } = await stoppedLoad(vt, px.baseUrl, rows(20, 'q'), 100);
    assert.equal(error.code, 'PX_DAILY_QUOTA');
    assert.equal(error.status, 429);
    assert.equal(error.fatal, true);
    assert.match(error.message, /Daily quota exceeded/);
    assert.equal(px.stats().rateLimited, 1);
  });

  it('probes go 1, 2, 4 ... s apart, at most 60 s, one at a time; the first success ends the wait', async (t) => {
    const vt = virtualTime(t);
    const BACK_AT = 200_000;
    const px = await scripted(
      (request) => (request.at >= BACK_AT || request.at < 50 ? { status: 204 } : throttled),
      vt.clock,
    );
    try {
      const waits = waitWatch(vt);
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 20,
        clock: vt.clock,
        onWait: waits.onWait,
      });
      waits.watch(sink);
      const result = await vt.run(load(sink, rows(30, 'probed')));
      assert.equal(result.count('updated'), 30);
      assert.deepEqual(result.rejections, []);
      const [start] = waits.starts;
      const [end] = waits.ends;
      assert.ok(start && end);
      // 429s only: the wait begins at the first 429 30 s after the first (at 50 ms); the law is
      // at its floor by then, 20/64 requests a second.
      assert.ok(start.at >= 50 + SPELL_MS && start.at < 50 + SPELL_MS + 3300, `wait began at ${start.at}`);
      const probes = px.seen.filter((r) => r.at > start.at && r.at <= end.at).map((r) => r.at);
      const gaps = probes.map((at, i) => at - (i === 0 ? start.at : probes[i - 1]!));
      const expected = [1, 2, 4, 8, 16, 32, 60, 60].map((s) => s * 1000);
      // Each probe waits its interval, then its slot at the rate the 429s left (the floor, 20/64 a second).
      assert.equal(gaps.length, end.probes);
      for (const [i, gap] of gaps.entries()) {
        const want = expected[Math.min(i, expected.length - 1)]!;
        assert.ok(gap >= Math.min(want, MAX_PROBE_MS) && gap < want + 3500, `probe ${i}: ${gap} ms, ${gaps}`);
      }
      assert.ok(waits.mostInFlightWaiting <= 1);
      assert.ok(end.at >= BACK_AT && end.at < BACK_AT + MAX_PROBE_MS + 3500, `ended at ${end.at}`);
      assert.equal(end.rate, 20);
    } finally {
      await px.close();
    }
  });
});
