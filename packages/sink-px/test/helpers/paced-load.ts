/**
 * A load of `rows` existing users through the sink against a slow PX, from a lazy source,
 * sampling the sink while it runs: the source is read at PX pace and the rows pending never
 * pass the sink's bound. `px-sink.backpressure.test.ts` runs it small;
 * `bench/src/soak/sink-backpressure.ts` at soak size. It makes every assertion itself and
 * returns its figures.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createPxSink } from '../../src/index.js';
import { emulator, recordsById, SECRET_KEY, seed, seedUsers } from './emulator.js';
import { collect, everyRowEndedOnce, userRow } from './rows.js';

const idOf = (i: number) => `bp-${i}`;

export async function pacedLoad(options: { rows: number; concurrency: number; latencyMs: number }) {
  const { rows: ROWS, concurrency: CONCURRENCY, latencyMs } = options;
  const started = performance.now();
  const px = await emulator({ latency: { fixedMs: latencyMs } });
  try {
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
    // The bound is far below the input: an unbounded read would have run through all of it.
    assert.ok(bound < ROWS / 4, `a run of ${ROWS} rows is long enough to tell (bound ${bound})`);
    const records = await recordsById(px, 'users');
    assert.equal(records.size, ROWS);
    assert.ok([...records.values()].every((user) => user.title === 'paced'));
    const stats = sink.stats();
    assert.equal(stats.sent, ROWS);
    assert.ok(stats.latencyMs.p50 >= latencyMs && stats.latencyMs.max >= stats.latencyMs.p95);
    return {
      rows: ROWS,
      concurrency: CONCURRENCY,
      latencyMs,
      maxAhead,
      bound,
      maxPending,
      maxInFlight,
      maxQueued,
      latency: stats.latencyMs,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await px.close();
  }
}
