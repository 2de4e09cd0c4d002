/**
 * The sink against each of the emulator's limiter modes, over real sockets, on virtual time
 * (helpers/virtual-time.ts: the sink's limiter and the emulator's limits read one clock the test
 * moves): a token bucket, a strict sliding window and a fixed window at the sink's own rate,
 * another client of the key taking most of the budget, and random throttles. Every row lands
 * exactly once, the sink's own starts never exceed its rate in any second, and the control law
 * does what each mode calls for; every figure is exact on any machine. Speed on a real machine
 * is the bench's (`pnpm bench --case 7`).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Verdict } from '../src/control-law.js';
import { createPxSink, type PxSink } from '../src/index.js';
import type { AdaptiveLimiter } from '../src/limiter.js';
import { emulatorPool, SECRET_KEY, seedUsers } from './helpers/emulator.js';
import { assertAccounted, assertRecords } from './helpers/landing.js';
import { load, userRow } from './helpers/rows.js';
import { mostInWindow } from './helpers/starts.js';
import { virtualTime } from './helpers/virtual-time.js';

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

// One test at a time: the mock timers of virtual time are the process's.
describe('px sink against every limiter mode of the emulator (virtual time)', () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());

  for (const shape of ['bucket', 'sliding', 'fixed'] as const) {
    it(`${shape} limit at the sink's rate (40/s): every row once, 40 starts in the busiest second, never a 429`, async (t) => {
      const vt = virtualTime(t);
      const rows = plan(shape, 80);
      const px = await pool.start(
        { rateLimit: { perSecond: 40, shape, ...(shape === 'bucket' ? { burst: 40 } : {}) } },
        { users: seedUsers(rows.existing) },
        vt.emulatorClocks,
      );
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        insertMissing: true,
        rate: 40,
        clock: vt.clock,
      });
      const starts = vt.watch(sink.client);
      const verdicts: Verdict[] = [];
      limiterOf(sink).onVerdict = (verdict) => verdicts.push(verdict);
      const result = await vt.run(load(sink, rows.input));
      assertAccounted(sink, result, rows.ids.length);
      assert.deepEqual(result.rejections, []);
      await assertRecords(px, 'users', rows.expected, rows.created);
      // 80 rows, 40 of them new (PUT 404, then POST): 120 requests.
      assert.equal(starts.length, 120);
      assert.equal(mostInWindow(starts, 1000), 40);
      // At its own rate, with no delivery jitter between the two clocks, each shape (the fixed
      // window's calendar seconds included: the wall clock starts on a second boundary) admits
      // every request: no 429, nothing for the law to do.
      assert.equal(px.stats().rateLimited, 0);
      assert.equal(sink.stats().http429, 0);
      assert.deepEqual(verdicts, []);
    });
  }

  it('another client takes most of a sliding window: the law cuts twice or more, every row lands', async (t) => {
    const vt = virtualTime(t);
    const rows = plan('other', 40);
    const px = await pool.start(
      { rateLimit: { perSecond: 40, shape: 'sliding' }, otherClient: { perSecond: 30 } },
      { users: seedUsers(rows.existing) },
      vt.emulatorClocks,
    );
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 40,
      clock: vt.clock,
    });
    vt.watch(sink.client);
    const verdicts: Verdict[] = [];
    let lowest = 40;
    limiterOf(sink).onVerdict = (verdict, state) => {
      verdicts.push(verdict);
      lowest = Math.min(lowest, state.rate);
    };
    const result = await vt.run(load(sink, rows.input));
    assertAccounted(sink, result, rows.ids.length);
    assert.deepEqual(result.rejections, []);
    await assertRecords(px, 'users', rows.expected, rows.created);
    assert.ok(verdicts.filter((v) => v === 'cut').length >= 2, `the law cut the rate: ${verdicts.join()}`);
    assert.ok(lowest <= 20, `lowest rate ${lowest} (10/s are left)`);
    assert.ok(px.stats().otherClient.admitted > 0);
  });

  it('random throttles (5% of requests): found to be noise, the rate is not ratcheted down', async (t) => {
    const vt = virtualTime(t);
    const rows = plan('noise', 120);
    const px = await pool.start(
      { rateLimit: false, faults: { seed: 3, throttle: 0.05, throttleRetryAfterSec: 0 } },
      { users: seedUsers(rows.existing) },
      vt.emulatorClocks,
    );
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 100,
      clock: vt.clock,
    });
    vt.watch(sink.client);
    const verdicts: Verdict[] = [];
    limiterOf(sink).onVerdict = (verdict) => verdicts.push(verdict);
    const result = await vt.run(load(sink, rows.input));
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
