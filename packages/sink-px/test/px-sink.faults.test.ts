import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPxSink } from '../src/index.js';
import {
  type EmulatorHandle,
  type EmulatorOptions,
  emulatorPool,
  SECRET_KEY,
  seedUsers,
} from './helpers/emulator.js';
import { assertAccounted, assertRecords } from './helpers/landing.js';
import { type Collected, collect, load, userRow } from './helpers/rows.js';
import { freePort, type Scripted, scripted } from './helpers/scripted.js';
import { virtualTime } from './helpers/virtual-time.js';

/** 80 rows, ids 0..79; the even ones exist before the load. Insert-missing: 40 updated, 40 inserted. */
const ROWS = 80;
const idOf = (i: number) => `fault-${i}`;
const existing = () => seedUsers(Array.from({ length: ROWS / 2 }, (_, k) => idOf(2 * k)));
const rows = () =>
  Array.from({ length: ROWS }, (_, i) => userRow(i, idOf(i), { email: `e${i}@example.com` }));

/**
 * Every row ended once as updated (even) or inserted (odd), the counters add up, and the
 * emulator holds each user once with its row's email, each new user created once.
 */
async function assertLanded(px: EmulatorHandle, sink: ReturnType<typeof createPxSink>, result: Collected) {
  assertAccounted(sink, result, ROWS);
  assert.deepEqual(result.rejections, []);
  for (const o of result.outcomes) assert.equal(o.outcome, o.row.index % 2 === 0 ? 'updated' : 'inserted');
  const expected = new Map(Array.from({ length: ROWS }, (_, i) => [idOf(i), { email: `e${i}@example.com` }]));
  await assertRecords(px, 'users', expected, ROWS / 2);
}

/**
 * These take about a second. 20 s is far above that on a busy machine, and below the 30 s
 * default timeout: a `timeoutMs` the sink ignored fails the test instead of just slowing it.
 */
const LIMIT = { timeout: 20_000 };

describe('px sink: retries over faults (emulator faults, real sockets)', () => {
  const pool = emulatorPool();
  const start = (options: EmulatorOptions) => pool.start(options, { users: existing() });
  const sinkFor = (px: EmulatorHandle, extra: Record<string, number> = {}) =>
    createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 2000,
      backoffBaseMs: 10,
      backoffCapMs: 100,
      // A quarter of requests fail here: 6 attempts would give up on a row now and then (0.25^6).
      maxAttempts: 10,
      ...extra,
    });
  after(() => pool.closeAll());

  it('5xx (500, 502 HTML, 503): retried; every row lands once', async () => {
    const px = await start({ faults: { seed: 3, serverError: 0.25 } });
    const sink = sinkFor(px);
    const result = await load(sink, rows());
    await assertLanded(px, sink, result);
    const stats = sink.stats();
    assert.ok(px.stats().faults.serverError > 0);
    assert.equal(stats.retries, px.stats().faults.serverError, 'one retry per server error');
    const serverErrors =
      (stats.byStatus['500'] ?? 0) + (stats.byStatus['502'] ?? 0) + (stats.byStatus['503'] ?? 0);
    assert.equal(serverErrors, px.stats().faults.serverError);
  });

  it('resets before processing: retried, including POSTs (read back first); nothing duplicated', async () => {
    const px = await start({ faults: { seed: 5, resetBefore: 0.25 } });
    const sink = sinkFor(px);
    const result = await load(sink, rows());
    await assertLanded(px, sink, result);
    assert.ok(px.stats().faults.resetBefore > 0);
    assert.ok((sink.stats().byStatus.reset ?? 0) >= px.stats().faults.resetBefore);
  });

  it('resets after processing: a POST whose answer was lost is read back (200) and counted inserted, not re-created', async () => {
    const px = await start({ faults: { seed: 11, resetAfter: 0.3, methods: ['POST', 'PUT'] } });
    const sink = sinkFor(px);
    const result = await load(sink, rows());
    await assertLanded(px, sink, result);
    const stats = px.stats();
    const lostPosts = stats.byRoute['POST /v1/users']?.resetAfter ?? 0;
    assert.ok(lostPosts > 0, 'some POST answers were lost');
    assert.equal(
      stats.byRoute['POST /v1/users']?.['400'],
      undefined,
      'no POST was repeated into a duplicate',
    );
    assert.equal(
      stats.byRoute['GET /v1/users/{id}']?.['200'],
      lostPosts,
      'each lost POST was read back once',
    );
  });

  it(
    'hangs: the per-request timeout fires and the request is retried (POST after a GET finds nothing)',
    LIMIT,
    async () => {
      const px = await start({ faults: { seed: 9, hang: 0.15 } });
      // A second: a hung request surely times out, an answered one on a busy machine does not.
      const sink = sinkFor(px, { timeoutMs: 1000 });
      const result = await load(sink, rows());
      await assertLanded(px, sink, result);
      const hangs = px.stats().faults.hang;
      assert.ok(hangs > 0);
      assert.equal(sink.stats().byStatus.timeout, hangs);
    },
  );

  for (const [what, answer] of [
    ['5xx', /last: HTTP 50[023] /],
    ['hangs', /last: timeout\)$/],
    ['refused connections', /last: no connection \(connect ECONNREFUSED/],
  ] as const) {
    it(`PX failing every request (${what}): no row rejected; wait: false ends the run with PX_UNAVAILABLE naming the last answer`, async (t) => {
      // Virtual time: the spell before the stop is 30 s, or 100 failed retries.
      const vt = virtualTime(t);
      let hang: Scripted | undefined;
      let baseUrl: string;
      if (what === '5xx')
        baseUrl = (await pool.start({ faults: { seed: 1, serverError: 1 } }, undefined, vt.emulatorClocks))
          .baseUrl;
      else if (what === 'hangs') {
        // Answers a day later: every request times out first.
        hang = await scripted(async () => {
          await vt.sleep(86_400_000);
          return { status: 204 };
        }, vt.clock);
        baseUrl = hang.baseUrl;
      } else baseUrl = `http://127.0.0.1:${await freePort()}/v1`;
      try {
        const sink = createPxSink({
          baseUrl,
          apiKey: SECRET_KEY,
          type: 'USER',
          rate: 100,
          maxAttempts: 2,
          timeoutMs: 1000,
          wait: false,
          clock: vt.clock,
        });
        vt.watch(sink.client);
        const ended = collect(sink);
        await assert.rejects(
          vt.run(load(sink, rows().slice(0, 20))),
          (error: { code: string; message: string }) => {
            assert.equal(error.code, 'PX_UNAVAILABLE');
            assert.match(error.message, answer);
            return true;
          },
        );
        assert.deepEqual(ended.rejections, [], 'no row rejected');
        assert.ok(sink.stats().sent > 2 * 20, 'retried past maxAttempts');
      } finally {
        await hang?.close();
      }
    });
  }
});
