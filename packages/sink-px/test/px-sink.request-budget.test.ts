/**
 * `requestBudget` (a daily budget kept by the caller): consulted before every request leaves,
 * once per request sent; it may delay a request or stop the run. Virtual time, real sockets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PxStreamError } from '@pxstream/core';
import { createPxSink, type RequestBudget } from '../src/index.js';
import { SECRET_KEY } from './helpers/emulator.js';
import { collect, load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';
import { virtualTime } from './helpers/virtual-time.js';

const rows = (n: number) => Array.from({ length: n }, (_, i) => userRow(i, `budget-${i}`));

/** A budget that lets `free` requests go at once and hands each later one to `later`. */
function budget(free: number, later: (signal: AbortSignal) => Promise<void>) {
  const taken: number[] = [];
  const signals = new Set<AbortSignal>();
  const object: RequestBudget = {
    take(signal) {
      signals.add(signal);
      taken.push(taken.length);
      return taken.length <= free ? undefined : later(signal);
    },
  };
  return { object, taken, signals };
}

describe('px sink: requestBudget', () => {
  it('take() once per request actually sent, retries included, before it leaves', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted(
      (_request, index) =>
        index === 2 || index === 5
          ? {
              status: 429,
              headers: { 'retry-after': '0' },
              body: pxError('TOO_MANY_REQUESTS', 'Rate limit exceeded'),
            }
          : { status: 204 },
      vt.clock,
    );
    try {
      const counted = budget(Number.POSITIVE_INFINITY, () => Promise.resolve());
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 50,
        clock: vt.clock,
        requestBudget: {
          take(signal) {
            // Before it leaves: PX has seen every earlier request, not this one.
            assert.equal(px.seen.length, counted.taken.length);
            return counted.object.take(signal);
          },
        },
      });
      vt.watch(sink.client);
      const result = await vt.run(load(sink, rows(10)));
      assert.equal(result.count('updated'), 10);
      assert.equal(counted.taken.length, 12);
      assert.equal(px.seen.length, 12);
      assert.equal(sink.stats().sent, 12);
      assert.equal(counted.signals.size, 1);
      assert.ok([...counted.signals][0] instanceof AbortSignal);
    } finally {
      await px.close();
    }
  });

  it('a promise holds the request until it resolves (the next day): nothing is lost, each counted once', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted(() => ({ status: 204 }), vt.clock);
    try {
      const nextDay = new Promise<void>((resolve) => setTimeout(resolve, 10_000));
      const held = budget(5, () => nextDay);
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 50,
        clock: vt.clock,
        requestBudget: held.object,
      });
      vt.watch(sink.client);
      const result = await vt.run(load(sink, rows(10)));
      assert.equal(result.count('updated'), 10);
      assert.equal(held.taken.length, 10);
      assert.deepEqual(
        px.seen.map((r) => r.at >= 10_000),
        [false, false, false, false, false, true, true, true, true, true],
      );
    } finally {
      await px.close();
    }
  });

  it('a fatal rejection (PX_DAILY_BUDGET) stops the run: nothing more is sent, no row rejected', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted(() => ({ status: 204 }), vt.clock);
    try {
      const spent = budget(5, () =>
        Promise.reject(
          new PxStreamError('PX_DAILY_BUDGET', 'the daily budget of 5 requests is spent', { fatal: true }),
        ),
      );
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 50,
        clock: vt.clock,
        requestBudget: spent.object,
      });
      vt.watch(sink.client);
      const ended = collect(sink);
      await assert.rejects(vt.run(load(sink, rows(10))), {
        code: 'PX_DAILY_BUDGET',
        fatal: true,
        message: 'the daily budget of 5 requests is spent',
      });
      assert.equal(px.seen.length, 5);
      assert.equal(ended.count('updated'), 5);
      assert.equal(ended.rejections.length, 0);
      assert.equal(sink.client.stats().sent, 5);
    } finally {
      await px.close();
    }
  });
});
