/**
 * Which failures count against a row's `maxAttempts` (attempts.ts, `Availability.judge`): never
 * a 429, and a 5xx, reset or timeout only while PX answers other requests. On virtual time, over
 * real sockets (scripted servers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPxSink } from '../src/index.js';
import { SECRET_KEY } from './helpers/emulator.js';
import { load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';
import { virtualTime } from './helpers/virtual-time.js';

const throttled = {
  status: 429,
  headers: { 'retry-after': '1' },
  body: pxError('TOO_MANY_REQUESTS', 'Rate limit exceeded'),
};
const broken = { status: 500, body: pxError('INTERNAL_SERVER_ERROR', 'NullPointerException') };

describe('px sink: PX unavailable is not a row fault', () => {
  it('more 429s than maxAttempts, then a 204: the row is updated (a 429 never counts)', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted((_request, index) => (index < 5 ? throttled : { status: 204 }), vt.clock);
    try {
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        maxAttempts: 2,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const result = await vt.run(load(sink, [userRow(0, 'a')]));
      assert.equal(result.count('updated'), 1);
      assert.deepEqual(result.rejections, []);
      assert.equal(px.seen.length, 6);
      assert.equal(sink.stats().waits, 0, '5 s of 429s is not a wait');
    } finally {
      await px.close();
    }
  });

  it('a row alone against 5xx for 5 s (nothing succeeds meanwhile): retried past maxAttempts, then updated', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted(
      (request) => (request.at < 5000 ? { status: 503, body: 'down for a moment' } : { status: 204 }),
      vt.clock,
    );
    try {
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        maxAttempts: 2,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const result = await vt.run(load(sink, [userRow(0, 'a')]));
      assert.equal(result.count('updated'), 1);
      assert.deepEqual(result.rejections, []);
      assert.ok(px.seen.length > 2, `${px.seen.length} requests`);
      assert.equal(sink.stats().waits, 0);
    } finally {
      await px.close();
    }
  });

  for (const [where, index] of [
    ['amid the load', 10],
    ['last, after the others ended', 39],
  ] as const) {
    it(`a body PX fails on every time while it answers the others (${where}): that row rejected PX_RETRIES_EXHAUSTED, no wait`, async (t) => {
      const vt = virtualTime(t);
      const px = await scripted(
        (request) => (request.url.endsWith('/poison') ? broken : { status: 204 }),
        vt.clock,
      );
      try {
        const sink = createPxSink({
          baseUrl: px.baseUrl,
          apiKey: SECRET_KEY,
          type: 'USER',
          rate: 50,
          clock: vt.clock,
        });
        vt.watch(sink.client);
        const rows = Array.from({ length: 40 }, (_, i) => userRow(i, i === index ? 'poison' : `ok-${i}`));
        const result = await vt.run(load(sink, rows));
        assert.equal(result.count('updated'), 39);
        assert.equal(result.rejections.length, 1);
        const [rejected] = result.rejections;
        assert.equal(rejected?.row.key, 'poison');
        assert.equal(rejected?.code, 'PX_RETRIES_EXHAUSTED');
        assert.equal(rejected?.status, 500);
        assert.equal(
          rejected?.message,
          'gave up after 6 failed attempts while PX answered other requests: HTTP 500 NullPointerException',
        );
        assert.ok(px.seen.filter((r) => r.url.endsWith('/poison')).length >= 6);
        assert.equal(sink.stats().waits, 0);
      } finally {
        await px.close();
      }
    });
  }
});
