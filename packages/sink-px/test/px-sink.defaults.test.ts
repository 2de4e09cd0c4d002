import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { OUTCOME_EVENT } from '@pxstream/core';
import { createPxSink, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type PxSinkStats } from '../src/index.js';
import { resolveClientOptions } from '../src/options.js';
import { emulatorPool, SECRET_KEY, seedUsers } from './helpers/emulator.js';
import { assertAccounted } from './helpers/landing.js';
import { load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';
import { recordStarts } from './helpers/starts.js';

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

  it('rate 150/s, requests in flight sized for it at a 250 ms round trip (38), a 30 s timeout', () => {
    const resolved = resolveClientOptions({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: SECRET_KEY });
    assert.deepEqual(
      { rate: resolved.rate, concurrency: resolved.concurrency, timeoutMs: resolved.timeoutMs },
      { rate: 150, concurrency: 38, timeoutMs: 30_000 },
    );
    assert.equal(DEFAULT_TIMEOUT_MS, 30_000);
    assert.deepEqual(resolved.retry, DEFAULT_RETRY);
    // The cap follows the configured rate.
    assert.equal(
      resolveClientOptions({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k', rate: 40 }).concurrency,
      10,
    );
  });

  it('a 300 ms round trip at the default rate: at most 38 requests in flight, and they are used; counters readable mid-run', async () => {
    const ROWS = 120;
    const ids = Array.from({ length: ROWS }, (_, i) => `slow-${i}`);
    const px = await pool.start({ latency: { fixedMs: 300 } }, { users: seedUsers(ids) });
    const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER' });
    assert.equal(sink.maxPending, 76, 'twice the in-flight cap');
    let maxInFlight = 0;
    const sampler = setInterval(() => {
      maxInFlight = Math.max(maxInFlight, sink.stats().inFlight);
    }, 5);
    let midRun: PxSinkStats | undefined;
    let finished = 0;
    sink.on(OUTCOME_EVENT, () => {
      if (++finished === 40) midRun = sink.stats();
    });
    const result = await load(
      sink,
      ids.map((id, i) => userRow(i, id)),
    ).finally(() => clearInterval(sampler));
    assertAccounted(sink, result, ROWS);
    // 150/s × 0.3 s would want 45 in flight: the cap holds it at 38.
    assert.ok(maxInFlight <= 38, `${maxInFlight} requests in flight`);
    assert.ok(maxInFlight >= 30, `only ${maxInFlight} requests in flight: the cap is not used`);
    assert.ok(midRun, 'sampled');
    assert.ok(midRun.updated >= 40 && midRun.updated < ROWS, `updated ${midRun.updated} mid-run`);
    assert.ok(midRun.pending > 0 && midRun.sent >= midRun.updated);
    assert.ok(midRun.latencyMs.p50 >= 300 && midRun.latencyMs.max >= midRun.latencyMs.p50);
  });
});

describe('px sink: backoff between retries', () => {
  /** One row against PX answering 503 (no Retry-After) four times, then 204; request starts. */
  async function retried(options: { backoffBaseMs: number; backoffCapMs?: number }) {
    const busy = { status: 503, body: pxError('SERVICE_UNAVAILABLE', 'busy') };
    const px = await scripted((_request, index) => (index < 4 ? busy : { status: 204 }));
    try {
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 100,
        ...options,
      });
      const starts = recordStarts(sink.client);
      const result = await load(sink, [userRow(0, 'u')]);
      assert.equal(result.count('updated'), 1);
      assert.equal(sink.stats().retries, 4);
      return starts.slice(1).map((at, i) => at - starts[i]!);
    } finally {
      await px.close();
    }
  }

  it('exponential: with the random draw at its top, each wait is about the full ceiling, doubled each time', async () => {
    const gaps = await withRandom(0.999999, () => retried({ backoffBaseMs: 100 }));
    // Ceilings 100, 200, 400, 800 ms; a wait is never shorter than its draw (floor of 99.99%).
    [99, 199, 399, 799].forEach((wait, i) => {
      assert.ok(gaps[i]! >= wait, `retry ${i + 1} came ${gaps[i]!.toFixed(0)} ms after, not ${wait}`);
    });
  });

  it('capped: the ceiling stops at backoffCapMs', async () => {
    const gaps = await withRandom(0.999999, () => retried({ backoffBaseMs: 100, backoffCapMs: 250 }));
    assert.ok(gaps[2]! >= 249 && gaps[3]! >= 249);
    // Uncapped, the last wait would be 799 ms at least.
    assert.ok(gaps[3]! < 700, `the last wait was ${gaps[3]!.toFixed(0)} ms`);
  });

  it('full jitter: with the random draw at 0, the retries wait nothing at all', async () => {
    const gaps = await withRandom(0, () => retried({ backoffBaseMs: 1000 }));
    const total = gaps.reduce((sum, gap) => sum + gap, 0);
    // Any jitter keeping part of the ceiling (equal jitter: half) would wait 7.5 s or more.
    assert.ok(total < 2000, `four retries took ${total.toFixed(0)} ms`);
  });
});
