import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPxSink } from '../src/index.js';
import { type EmulatorOptions, emulatorPool, SECRET_KEY } from './helpers/emulator.js';
import { pacedLoad } from './helpers/paced-load.js';
import { collect, userRow } from './helpers/rows.js';

const idOf = (i: number) => `bp-${i}`;

describe('px sink: backpressure and shutdown', () => {
  const pool = emulatorPool();
  const start = (options: EmulatorOptions) => pool.start(options);
  after(() => pool.closeAll());

  it('1,000 rows against a slow PX: the source is read at PX pace, rows pending never pass the bound', async () => {
    // The soak-sized run (20,000 rows) is bench/src/soak/sink-backpressure.ts: same load, same checks.
    await pacedLoad({ rows: 1000, concurrency: 32, latencyMs: 5 });
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
    const LATENCY_MS = 1000;
    const px = await start({ latency: { fixedMs: LATENCY_MS } });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      rate: 1000,
      concurrency: 4,
    });
    const ended = collect(sink);
    for (let i = 0; i < 8; i++) sink.write(userRow(i, idOf(i)));
    // Each request takes a second: wait for the first four to be under way, on the sink's side
    // and on PX's (they reached it), not a fixed sleep, which a busy machine could outrun.
    for (let waited = 0; (sink.stats().inFlight < 4 || px.stats().requests < 4) && waited < 5000; waited += 5)
      await sleep(5);
    assert.equal(sink.stats().inFlight, 4);
    assert.equal(sink.stats().queued, 4);
    assert.equal(px.stats().requests, 4);
    const closed = new Promise((resolve) => sink.once('close', resolve));
    sink.destroy();
    await closed;
    // Past the moment PX answers the four: nothing comes of them.
    await sleep(LATENCY_MS + 200);
    assert.equal(ended.finished, 0, 'no row of a destroyed sink gets an outcome');
    assert.equal(sink.stats().inFlight, 0);
    assert.equal(sink.stats().sent, 4, 'the queued rows were never sent');
    assert.equal(px.stats().requests, 4);
  });
});
