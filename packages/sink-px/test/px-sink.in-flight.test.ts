/**
 * Requests in flight sized from the round trip (in-flight.ts), over real sockets against the
 * emulator, on virtual time (helpers/virtual-time.ts: the emulator's latency is a wait on the
 * test's clock, so a 1 s answer costs no real second and every figure is exact). A PX far away
 * (1 s answers) gets its whole budget by default; a pinned `concurrency` is the cap, as before;
 * when the round trip falls the cap, the rows pending and the connections shrink with it.
 * The bench holds the full-size figures (`pnpm bench --case 7 --variant far-1000`).
 */
import assert from 'node:assert/strict';
import type { Agent } from 'node:http';
import { after, describe, it } from 'node:test';
import { OUTCOME_EVENT } from '@pxstream/core';
import { createPxSink, type PxSink, type PxSinkStats } from '../src/index.js';
import { emulatorPool, SECRET_KEY, seedUsers } from './helpers/emulator.js';
import { assertAccounted } from './helpers/landing.js';
import { load, userRow } from './helpers/rows.js';
import { mostInWindow } from './helpers/starts.js';
import { virtualTime } from './helpers/virtual-time.js';

const RATE = 200;

const agentOf = (sink: PxSink) =>
  (sink.client as unknown as { session: { transport: { agent: Agent } } }).session.transport.agent;

/** Open connections of the sink's agent, busy and idle. */
function openSockets(agent: Agent): number {
  let open = 0;
  for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]) {
    for (const socket of list ?? []) if (!socket.destroyed) open++;
  }
  return open;
}

/** Share of a `RATE`/s budget the starts used, from the first start to the last. */
function budgetShare(starts: readonly number[]): number {
  const seconds = (starts.at(-1)! - starts[0]! + 1000 / RATE) / 1000;
  return starts.length / seconds / RATE;
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

// One test at a time: the mock timers of virtual time are the process's.
describe('px sink: requests in flight sized from the round trip (virtual time)', () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());

  it('a 200/s sliding limit with answers in 1,000 to 1,200 ms: held at >= 0.9x of the budget by default, no 429', async (t) => {
    const vt = virtualTime(t);
    const users = ids('far', 4 * RATE); // 4 s of rows
    const px = await pool.start(
      {
        rateLimit: { perSecond: RATE, shape: 'sliding' },
        latency: { fixedMs: 1000, jitterMs: 200 },
      },
      { users: seedUsers(users) },
      vt.emulatorClocks,
    );
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      rate: RATE,
      clock: vt.clock,
    });
    const starts = vt.watch(sink.client);
    const result = await vt.run(
      load(
        sink,
        users.map((id, i) => userRow(i, id)),
      ),
    );
    assertAccounted(sink, result, users.length);
    assert.equal(result.count('updated'), users.length);
    const share = budgetShare(starts);
    // The old cap (rate × 0.25 = 50 in flight) landed 50 / 1.1 s = 45/s here: 0.23x.
    assert.ok(share >= 0.9, `${share.toFixed(3)}x of the budget`);
    // From the first second on, before any answer: the cap starts at 50 and grows from the
    // requests still out as it fills (without that, 50 starts in the first second, then a wait).
    const firstSecond = starts.filter((at) => at < starts[0]! + 1000).length;
    assert.ok(firstSecond >= 0.95 * RATE, `${firstSecond} starts in the first second`);
    const stats = sink.stats();
    assert.equal(stats.http429, 0);
    // p90 of the latest 128 answers near 1,180 ms: 200 × 1.18 × 1.25 = 295.
    assert.ok(
      stats.roundTripMs.p50 >= 1050 && stats.roundTripMs.p50 <= 1150,
      JSON.stringify(stats.roundTripMs),
    );
    assert.ok(
      stats.roundTripMs.p90 >= 1150 && stats.roundTripMs.p90 < 1200,
      JSON.stringify(stats.roundTripMs),
    );
    // The largest sizing of the last 2 s: between what the latest p90 asks and 200 × 1.2 × 1.25.
    const sized = Math.ceil(RATE * (stats.roundTripMs.p90 / 1000) * 1.25);
    assert.ok(stats.concurrency >= sized && stats.concurrency <= 300, `${stats.concurrency} (p90: ${sized})`);
    assert.ok(vt.maxInFlight <= stats.peakConcurrency, `${vt.maxInFlight} in flight`);
    assert.ok(openSockets(agentOf(sink)) <= stats.peakConcurrency);
  });

  it('a pinned concurrency is the cap, whatever the round trip: 50 in flight at most, and used', async (t) => {
    const vt = virtualTime(t);
    const users = ids('pinned', 150);
    const px = await pool.start(
      { rateLimit: { perSecond: RATE, shape: 'sliding' }, latency: { fixedMs: 1000 } },
      { users: seedUsers(users) },
      vt.emulatorClocks,
    );
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      rate: RATE,
      concurrency: 50,
      clock: vt.clock,
    });
    assert.equal(sink.maxPending, 100);
    const starts = vt.watch(sink.client);
    const result = await vt.run(
      load(
        sink,
        users.map((id, i) => userRow(i, id)),
      ),
    );
    assertAccounted(sink, result, users.length);
    assert.equal(vt.maxInFlight, 50);
    const stats = sink.stats();
    assert.deepEqual([stats.concurrency, stats.peakConcurrency, sink.maxPending], [50, 50, 100]);
    assert.deepEqual(stats.roundTripMs, { p50: 1000, p90: 1000 });
    // 50 a second at most: a quarter of the budget, as the cap says.
    assert.equal(mostInWindow(starts, 1000), 50);
    assert.ok(openSockets(agentOf(sink)) <= 50);
  });

  it('the round trip falls from 1 s to 40 ms: the cap shrinks to the floor, the rows pending and the connections with it', async (t) => {
    const vt = virtualTime(t);
    const rate = 100;
    const users = ids('near', 900);
    const px = await pool.start(
      { latency: { fixedMs: 1000 } },
      { users: seedUsers(users) },
      vt.emulatorClocks,
    );
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      rate,
      clock: vt.clock,
    });
    vt.watch(sink.client);
    const agent = agentOf(sink);
    let far: PxSinkStats | undefined;
    let changedAt = 0;
    let finished = 0;
    const samples: Array<{ at: number; concurrency: number; maxPending: number; sockets: number }> = [];
    vt.onIdle = () => {
      const stats = sink.stats();
      samples.push({
        at: vt.now,
        concurrency: stats.concurrency,
        maxPending: sink.maxPending,
        sockets: openSockets(agent),
      });
    };
    sink.on(OUTCOME_EVENT, () => {
      // After 2 s of 1 s answers, PX comes near: 40 ms.
      if (++finished === 200) {
        far = sink.stats();
        changedAt = vt.now;
        px.configure({ latency: { fixedMs: 40 } });
      }
    });
    const result = await vt.run(
      load(
        sink,
        users.map((id, i) => userRow(i, id)),
      ),
    );
    assertAccounted(sink, result, users.length);
    assert.ok(far, 'sampled before the change');
    assert.equal(far.concurrency, 125, '100/s × 1 s × 1.25');
    const near = sink.stats();
    assert.equal(near.concurrency, 25, 'the floor: 100/s × 200 ms × 1.25');
    assert.deepEqual(near.roundTripMs, { p50: 40, p90: 40 });
    const shrunk = samples.find((s) => s.at > changedAt && s.concurrency === 25);
    assert.ok(shrunk, 'shrunk during the run');
    // The 1 s answers still out come back over the next second, among fast ones; the p90 of
    // the window is a fast answer once 116 of the latest 128 are, 2 s after the change (4,035 ms
    // here, exact on virtual time), and the cap shrinks 2 s after the last sizing that asked
    // for 125.
    const after = shrunk.at - changedAt;
    assert.ok(after >= 3500 && after <= 4500, `shrunk ${after} ms after the change`);
    for (const s of samples) assert.equal(s.maxPending, 2 * s.concurrency, 'rows pending follow the cap');
    const settled = samples.filter((s) => s.at >= shrunk.at + 1000);
    assert.ok(settled.length > 0);
    for (const s of settled) assert.ok(s.sockets <= 25, `${s.sockets} connections open at ${s.at} ms`);
    assert.equal(agent.maxSockets, 25);
    assert.equal(near.peakConcurrency, 125);
  });
});
