/**
 * The sink against each of the emulator's limiter modes, over real sockets: a token bucket, a
 * strict sliding window and a fixed window at the sink's own rate, another client of the key
 * taking half the budget, and random throttles. Every row lands exactly once, the sink's own
 * starts never exceed its rate in any second, and the control law does what each mode calls for.
 * No speed is asserted (shared, noisy machines): the bench measures (`pnpm bench --case 7`).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Verdict } from '../src/control-law.js';
import { createPxSink, type PxSink } from '../src/index.js';
import type { AdaptiveLimiter } from '../src/limiter.js';
import { emulatorPool, SECRET_KEY, seedUsers } from './helpers/emulator.js';
import { assertAccounted, assertRecords } from './helpers/landing.js';
import { load, userRow } from './helpers/rows.js';
import { mostInWindow, ONE_SECOND_MS, recordStarts } from './helpers/starts.js';

const limiterOf = (sink: PxSink) =>
  (sink.client as unknown as { session: { limiter: AdaptiveLimiter } }).session.limiter;

/** Half the ids exist (one PUT), half are new (PUT 404, then POST). */
function plan(prefix: string, rows: number) {
  const ids = Array.from({ length: rows }, (_, i) => `${prefix}-${i}`);
  const existing = ids.filter((_, i) => i % 2 === 0);
  const expected = new Map(ids.map((id, i) => [id, { title: `${prefix} ${i}` }]));
  const input = ids.map((id, i) => userRow(i, id, { title: `${prefix} ${i}` }));
  return { ids, existing, expected, input, created: rows - existing.length };
}

describe('px sink against every limiter mode of the emulator', { concurrency: true }, () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());

  for (const shape of ['bucket', 'sliding', 'fixed'] as const) {
    it(`${shape} limit at the sink's rate (40/s): every row once, never over 40 starts a second`, async () => {
      const rows = plan(shape, 80);
      const px = await pool.start(
        { rateLimit: { perSecond: 40, shape, ...(shape === 'bucket' ? { burst: 40 } : {}) } },
        { users: seedUsers(rows.existing) },
      );
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        insertMissing: true,
        rate: 40,
      });
      const starts = recordStarts(sink.client);
      const verdicts: Verdict[] = [];
      limiterOf(sink).onVerdict = (verdict) => verdicts.push(verdict);
      const result = await load(sink, rows.input);
      assertAccounted(sink, result, rows.ids.length);
      assert.deepEqual(result.rejections, []);
      await assertRecords(px, 'users', rows.expected, rows.created);
      const most = mostInWindow(starts, ONE_SECOND_MS);
      assert.ok(most <= 40, `${most} starts within one second`);
      // At its own rate the sink is at most trimmed now and then, never cut by a lone 429.
      assert.ok(
        !verdicts.includes('cut') || verdicts.filter((v) => v !== 'echo').length > 1,
        verdicts.join(),
      );
      assert.equal(sink.stats().http429, px.stats().rateLimited);
    });
  }

  it('another client takes most of a sliding window: the law cuts twice or more, every row lands', async () => {
    const rows = plan('other', 40);
    const px = await pool.start(
      { rateLimit: { perSecond: 40, shape: 'sliding' }, otherClient: { perSecond: 30 } },
      { users: seedUsers(rows.existing) },
    );
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 40,
    });
    const verdicts: Verdict[] = [];
    let lowest = 40;
    limiterOf(sink).onVerdict = (verdict, state) => {
      verdicts.push(verdict);
      lowest = Math.min(lowest, state.rate);
    };
    const result = await load(sink, rows.input);
    assertAccounted(sink, result, rows.ids.length);
    assert.deepEqual(result.rejections, []);
    await assertRecords(px, 'users', rows.expected, rows.created);
    assert.ok(verdicts.includes('cut'), `the law cut the rate: ${verdicts.join()}`);
    assert.ok(lowest <= 20, `lowest rate ${lowest} (10/s are left)`);
    assert.ok(px.stats().otherClient.admitted > 0);
  });

  it('random throttles (5% of requests): found to be noise, the rate is not ratcheted down', async () => {
    const rows = plan('noise', 120);
    const px = await pool.start(
      { rateLimit: false, faults: { seed: 3, throttle: 0.05, throttleRetryAfterSec: 0 } },
      { users: seedUsers(rows.existing) },
    );
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 100,
    });
    const verdicts: Verdict[] = [];
    limiterOf(sink).onVerdict = (verdict) => verdicts.push(verdict);
    const result = await load(sink, rows.input);
    assertAccounted(sink, result, rows.ids.length);
    assert.deepEqual(result.rejections, []);
    await assertRecords(px, 'users', rows.expected, rows.created);
    assert.ok(px.stats().faults.throttle >= 5, `${px.stats().faults.throttle} throttles`);
    assert.ok(verdicts.includes('noise-found'), `verdicts: ${verdicts.join()}`);
    assert.ok(
      sink.stats().currentRate >= 90,
      `rate at the end ${sink.stats().currentRate}: ${verdicts.join()}`,
    );
  });
});
