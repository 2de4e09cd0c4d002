import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPxSink } from '../src/index.js';
import {
  type EmulatorOptions,
  emulatorPool,
  recordsById,
  SECRET_KEY,
  seed,
  seedUsers,
} from './helpers/emulator.js';
import { collect, everyRowEndedOnce, userRow } from './helpers/rows.js';

const idOf = (i: number) => `bp-${i}`;

describe('px sink: backpressure and shutdown', () => {
  const pool = emulatorPool();
  const start = (options: EmulatorOptions) => pool.start(options);
  after(() => pool.closeAll());

  it('20,000 rows against a slow PX: the source is read at PX pace, rows pending never pass the bound', async () => {
    const ROWS = 20_000;
    const CONCURRENCY = 32;
    const px = await start({ latency: { fixedMs: 5 } });
    await seed(px, { users: seedUsers(Array.from({ length: ROWS }, (_, i) => idOf(i))) });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: false,
      rate: 100_000,
      concurrency: CONCURRENCY,
    });
    assert.equal(sink.maxPending, 2 * CONCURRENCY);
    const ended = collect(sink);
    let produced = 0;
    let maxAhead = 0;
    let maxPending = 0;
    let maxInFlight = 0;
    let maxQueued = 0;
    // A lazy source: a row exists only once the pipeline pulls it.
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < ROWS; i++) {
          produced++;
          maxAhead = Math.max(maxAhead, produced - ended.finished);
          yield userRow(i, idOf(i), { title: 'paced' });
        }
      })(),
      { objectMode: true, highWaterMark: 16 },
    );
    const sample = setInterval(() => {
      const stats = sink.stats();
      maxPending = Math.max(maxPending, stats.inFlight + stats.queued);
      maxInFlight = Math.max(maxInFlight, stats.inFlight);
      maxQueued = Math.max(maxQueued, stats.queued);
    }, 2);
    try {
      await pipeline(source, sink);
    } finally {
      clearInterval(sample);
    }
    assert.equal(everyRowEndedOnce(ended, ROWS), undefined);
    assert.equal(ended.count('updated'), ROWS);
    assert.ok(maxInFlight <= CONCURRENCY, `in flight ${maxInFlight}`);
    assert.ok(maxInFlight > 1, 'requests did overlap');
    assert.ok(maxPending <= sink.maxPending, `pending ${maxPending} (queued up to ${maxQueued})`);
    // Rows in the sink's engine + its Writable buffer + the source's buffer + the one being read.
    const bound = sink.maxPending + sink.writableHighWaterMark + source.readableHighWaterMark + 1;
    assert.ok(maxAhead <= bound, `${maxAhead} rows read ahead of the rows finished (bound ${bound})`);
    const records = await recordsById(px, 'users');
    assert.equal(records.size, ROWS);
    assert.ok([...records.values()].every((user) => user.title === 'paced'));
    const stats = sink.stats();
    assert.equal(stats.sent, ROWS);
    assert.ok(stats.latencyMs.p50 >= 5 && stats.latencyMs.max >= stats.latencyMs.p95);
  });

  it('finish comes after the last row ended (_final waits for rows in flight)', async () => {
    const px = await start({ latency: { fixedMs: 30 } });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 1000,
    });
    const ended = collect(sink);
    let endedAtFinish = -1;
    sink.on('finish', () => {
      endedAtFinish = ended.finished;
    });
    await pipeline(
      Readable.from(
        Array.from({ length: 10 }, (_, i) => userRow(i, idOf(i))),
        { objectMode: true },
      ),
      sink,
    );
    assert.equal(endedAtFinish, 10);
    assert.equal(ended.count('inserted'), 10);
  });

  it('destroy() mid-run aborts requests in flight, drops the queue, and emits nothing more', async () => {
    const px = await start({ latency: { fixedMs: 300 } });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      rate: 1000,
      concurrency: 4,
    });
    const ended = collect(sink);
    for (let i = 0; i < 8; i++) sink.write(userRow(i, idOf(i)));
    // Each request takes 300 ms: wait for the first four to be under way (not a fixed sleep,
    // which a busy machine could outrun).
    for (let waited = 0; sink.stats().inFlight < 4 && waited < 5000; waited += 5) await sleep(5);
    assert.equal(sink.stats().inFlight, 4);
    assert.equal(sink.stats().queued, 4);
    const closed = new Promise((resolve) => sink.once('close', resolve));
    sink.destroy();
    await closed;
    await sleep(400);
    assert.equal(ended.finished, 0, 'no row of a destroyed sink gets an outcome');
    assert.equal(sink.stats().inFlight, 0);
    assert.equal(sink.stats().sent, 4, 'the queued rows were never sent');
    assert.equal(px.stats().requests, 4);
  });
});
