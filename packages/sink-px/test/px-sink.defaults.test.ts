import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { OUTCOME_EVENT } from '@pxstream/core';
import { createPxSink, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type PxSinkStats } from '../src/index.js';
import { resolveClientOptions } from '../src/options.js';
import { emulatorPool, SECRET_KEY, seedUsers } from './helpers/emulator.js';
import { assertAccounted } from './helpers/landing.js';
import { load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';
import { virtualTime } from './helpers/virtual-time.js';

/**
 * Runs `run` with `Math.random` pinned near `value` (each call a hair apart: bottleneck names
 * its jobs with it, and two jobs must not share a name).
 */
async function withRandom<T>(value: number, run: () => Promise<T>): Promise<T> {
  const original = Math.random;
  let calls = 0;
  Math.random = () => Math.abs(value - ++calls * 1e-9);
  try {
    return await run();
  } finally {
    Math.random = original;
  }
}

describe('px sink: defaults', () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());

  it('rate 150/s, requests in flight from rate × 0.25 (38), then sized from the round trip, a 30 s timeout', () => {
    const resolved = resolveClientOptions({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: SECRET_KEY });
    assert.deepEqual(
      {
        rate: resolved.rate,
        concurrency: resolved.concurrency,
        inFlight: resolved.inFlight,
        timeoutMs: resolved.timeoutMs,
      },
      { rate: 150, concurrency: 38, inFlight: { min: 8, max: 512 }, timeoutMs: 30_000 },
    );
    assert.equal(DEFAULT_TIMEOUT_MS, 30_000);
    assert.deepEqual(resolved.retry, DEFAULT_RETRY);
    // The start follows the configured rate; `concurrency` pins it (no sizing).
    assert.equal(
      resolveClientOptions({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k', rate: 400 }).concurrency,
      100,
    );
    const pinned = resolveClientOptions({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k', concurrency: 7 });
    assert.deepEqual([pinned.concurrency, pinned.inFlight], [7, undefined]);
  });

  it('a 300 ms round trip at the default rate: 45 requests in flight (150/s × 0.3 s), never held back by the cap of 38 it starts with, sized 57; counters readable mid-run', async (t) => {
    // Virtual time (helpers/virtual-time.ts): PX's 300 ms and the limiter's pace on one clock.
    const vt = virtualTime(t);
    const ROWS = 600;
    const ids = Array.from({ length: ROWS }, (_, i) => `slow-${i}`);
    const px = await pool.start({ latency: { fixedMs: 300 } }, { users: seedUsers(ids) }, vt.emulatorClocks);
    const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER', clock: vt.clock });
    assert.equal(sink.maxPending, 76, 'twice the in-flight cap (38 before any answer)');
    vt.watch(sink.client);
    let maxInFlight = 0;
    vt.onIdle = () => {
      maxInFlight = Math.max(maxInFlight, sink.stats().inFlight);
    };
    let midRun: PxSinkStats | undefined;
    let finished = 0;
    sink.on(OUTCOME_EVENT, () => {
      if (++finished === 40) midRun = sink.stats();
    });
    const result = await vt.run(
      load(
        sink,
        ids.map((id, i) => userRow(i, id)),
      ),
    );
    assertAccounted(sink, result, ROWS);
    // 150/s × 0.3 s: 45 in flight, as Little's law says, and one more at the instant a start
    // and an answer share: the cap of 38 grew as it filled, from the requests still out (a cap
    // fixed at 38, sized for 250 ms, held it at 38 before).
    assert.equal(maxInFlight, 46, 'requests in flight, by the sink');
    assert.equal(vt.maxInFlight, 46, 'requests in flight, on the wire');
    const end = sink.stats();
    assert.deepEqual(
      [end.concurrency, end.peakConcurrency, sink.maxPending, end.roundTripMs],
      [57, 57, 114, { p50: 300, p90: 300 }],
      '150/s × 0.3 s × 1.25',
    );
    assert.ok(midRun, 'sampled');
    assert.ok(midRun.updated >= 40 && midRun.updated < ROWS, `updated ${midRun.updated} mid-run`);
    assert.ok(midRun.pending > 0 && midRun.sent >= midRun.updated);
    assert.equal(midRun.latencyMs.p50, 300);
    assert.equal(midRun.latencyMs.max, 300);
  });
});

describe('px sink: backoff between retries (virtual time)', () => {
  /** One row against PX answering 503 (no Retry-After) four times, then 204; the gaps between its requests. */
  async function retried(t: TestContext, options: { backoffBaseMs: number; backoffCapMs?: number }) {
    const vt = virtualTime(t);
    const busy = { status: 503, body: pxError('SERVICE_UNAVAILABLE', 'busy') };
    const px = await scripted((_request, index) => (index < 4 ? busy : { status: 204 }), vt.clock);
    try {
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 100,
        clock: vt.clock,
        ...options,
      });
      const starts = vt.watch(sink.client);
      const result = await vt.run(load(sink, [userRow(0, 'u')]));
      assert.equal(result.count('updated'), 1);
      assert.equal(sink.stats().retries, 4);
      assert.deepEqual(
        px.seen.map((r) => r.at),
        starts,
      );
      return starts.slice(1).map((at, i) => at - starts[i]!);
    } finally {
      await px.close();
    }
  }

  it('exponential: with the random draw at its top, each wait is the full ceiling less a hair, doubled each time', async (t) => {
    const gaps = await withRandom(0.999999, () => retried(t, { backoffBaseMs: 100 }));
    // Ceilings 100, 200, 400, 800 ms; the draw is floor(0.999999 × ceiling).
    assert.deepEqual(gaps, [99, 199, 399, 799]);
  });

  it('capped: the ceiling stops at backoffCapMs', async (t) => {
    const gaps = await withRandom(0.999999, () => retried(t, { backoffBaseMs: 100, backoffCapMs: 250 }));
    // Uncapped, the last two would be 399 and 799.
    assert.deepEqual(gaps, [99, 199, 249, 249]);
  });

  it('full jitter: with the random draw at 0, the retries wait nothing at all', async (t) => {
    const gaps = await withRandom(0, () => retried(t, { backoffBaseMs: 1000 }));
    // No backoff: each retry goes at the next slot of the rate (10 ms at 100/s). Any jitter
    // keeping part of the ceiling (equal jitter: half) would wait 500, 1000, 2000, 4000 ms.
    assert.deepEqual(gaps, [10, 10, 10, 10]);
  });
});
