import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPxSink, type PxSinkOptions } from '../src/index.js';
import {
  dump,
  type EmulatorHandle,
  type EmulatorOptions,
  emulatorPool,
  SECRET_KEY,
} from './helpers/emulator.js';
import { everyRowEndedOnce, load, row } from './helpers/rows.js';
import { freePort } from './helpers/scripted.js';
import { virtualTime } from './helpers/virtual-time.js';

const EVENTS = 60;
/** Event bodies as the mapper builds them; `attributes.n` tells each one apart. */
const events = (count = EVENTS) =>
  Array.from({ length: count }, (_, i) =>
    row(i, `user-${i % 7}`, {
      identifyId: `user-${i % 7}`,
      eventName: 'Signed up',
      date: 1_740_000_000_000 + i,
      attributes: { n: i },
      userType: 'USER',
      propertyKey: 'AP-TEST00000000-1',
    }),
  );

/** Each recorded event once at most; returns the recorded `n`s. */
async function recorded(px: EmulatorHandle): Promise<Set<number>> {
  const list = (await dump(px, 'events')).map((event) => (event.attributes as { n: number }).n);
  const unique = new Set(list);
  assert.equal(unique.size, list.length, 'no event recorded twice');
  return unique;
}

describe('px sink: CUSTOM_EVENT (POST only, never retried into a duplicate)', () => {
  const pool = emulatorPool();
  const start = (options: EmulatorOptions = {}) => pool.start(options);
  const sinkFor = (px: EmulatorHandle, extra: Partial<PxSinkOptions> = {}) =>
    createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'CUSTOM_EVENT',
      rate: 2000,
      backoffBaseMs: 10,
      backoffCapMs: 100,
      maxAttempts: 10,
      ...extra,
    });
  after(() => pool.closeAll());

  it('clean run: one POST per row, 201 = inserted, the bodies recorded as sent', async () => {
    const px = await start();
    const sink = sinkFor(px);
    const result = await load(sink, events());
    assert.equal(everyRowEndedOnce(result, EVENTS), undefined);
    assert.equal(result.count('inserted'), EVENTS);
    const list = await dump(px, 'events');
    assert.equal(list.length, EVENTS);
    assert.equal(sink.stats().sent, EVENTS);
    const first = list.find((event) => (event.attributes as { n: number }).n === 0)!;
    assert.equal(first.eventName, 'Signed up');
    assert.equal(first.identifyId, 'user-0');
  });

  it('answers lost after processing (resetAfter): rejected PX_EVENT_MAYBE_RECORDED, not retried, no duplicate', async () => {
    const px = await start({ faults: { seed: 4, resetAfter: 0.3 } });
    const sink = sinkFor(px);
    const result = await load(sink, events());
    assert.equal(everyRowEndedOnce(result, EVENTS), undefined);
    const lost = px.stats().faults.resetAfter;
    assert.ok(lost > 0);
    assert.equal(result.rejections.length, lost);
    for (const rejection of result.rejections) {
      assert.equal(rejection.code, 'PX_EVENT_MAYBE_RECORDED');
      assert.equal(rejection.stage, 'send');
      assert.match(rejection.message, /may have been recorded/);
    }
    assert.equal(result.count('inserted'), EVENTS - lost);
    const seen = await recorded(px);
    assert.equal(
      seen.size,
      EVENTS,
      'every event recorded exactly once: the lost answers were recorded, and not resent',
    );
    assert.equal(sink.stats().retries, 0);
    assert.equal(sink.stats().sent, EVENTS);
  });

  it('reset after the request was sent but before PX read it (resetBefore): still not retried (cannot be told apart)', async () => {
    const px = await start({ faults: { seed: 8, resetBefore: 0.3 } });
    const result = await load(sinkFor(px), events());
    assert.equal(everyRowEndedOnce(result, EVENTS), undefined);
    const dropped = px.stats().faults.resetBefore;
    assert.ok(dropped > 0);
    assert.equal(result.rejections.length, dropped);
    assert.ok(result.rejections.every((r) => r.code === 'PX_EVENT_MAYBE_RECORDED'));
    const seen = await recorded(px);
    assert.equal(seen.size, EVENTS - dropped);
    for (const rejection of result.rejections) assert.equal(seen.has(rejection.row.index), false);
  });

  it('503 and 429 are retried (PX did not process them); 500 and 502 are rejected as maybe recorded', async (t) => {
    // Virtual time (helpers/virtual-time.ts): the sink's pace and PX's bucket on one clock.
    const vt = virtualTime(t);
    const px = await pool.start(
      {
        faults: { seed: 21, serverError: 0.3 },
        // A bucket of one: a request 20 ms or less after the last one admitted meets a 429, and
        // the sink starts one every 2.5 ms. No Retry-After: each 429 would pause every start for
        // a second, and this test is about which answers are retried, not about the pace.
        rateLimit: { perSecond: 50, burst: 1 },
        retryAfter: false,
      },
      undefined,
      vt.emulatorClocks,
    );
    // Enough attempts that none runs out: a rejection here can only be a 500 or a 502.
    const sink = sinkFor(px, { rate: 400, maxAttempts: 30, clock: vt.clock });
    vt.watch(sink.client);
    const result = await vt.run(load(sink, events()));
    assert.equal(everyRowEndedOnce(result, EVENTS), undefined);
    const statuses = sink.stats().byStatus;
    assert.ok((statuses['503'] ?? 0) > 0 && (statuses['429'] ?? 0) > 0, JSON.stringify(statuses));
    const notProcessed = (statuses['500'] ?? 0) + (statuses['502'] ?? 0);
    assert.ok(notProcessed > 0);
    assert.equal(result.rejections.length, notProcessed);
    for (const rejection of result.rejections) {
      assert.equal(rejection.code, 'PX_EVENT_MAYBE_RECORDED');
      assert.ok(rejection.status === 500 || rejection.status === 502);
    }
    assert.equal(sink.stats().retries, (statuses['503'] ?? 0) + (statuses['429'] ?? 0));
    const seen = await recorded(px);
    assert.equal(seen.size, result.count('inserted'));
  });

  it('connection refused (the request never left): retried until PX is up, recorded once', async () => {
    const port = await freePort();
    const sink = createPxSink({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: SECRET_KEY,
      type: 'CUSTOM_EVENT',
      rate: 100,
      maxAttempts: 10,
      backoffBaseMs: 100,
      backoffCapMs: 200,
    });
    const loading = load(sink, events(3));
    await sleep(250);
    const px = await pool.start({ port });
    const result = await loading;
    assert.equal(result.count('inserted'), 3, JSON.stringify(result.rejections));
    assert.ok((sink.stats().byStatus.connect ?? 0) > 0);
    assert.equal((await recorded(px)).size, 3);
  });

  it('insertMissing does not apply: PX_INVALID_OPTION', () => {
    assert.throws(
      () =>
        createPxSink({
          baseUrl: 'http://127.0.0.1:9/v1',
          apiKey: SECRET_KEY,
          type: 'CUSTOM_EVENT',
          insertMissing: true,
          rate: 1,
        }),
      { code: 'PX_INVALID_OPTION', message: /insertMissing does not apply to CUSTOM_EVENT/ },
    );
  });
});
