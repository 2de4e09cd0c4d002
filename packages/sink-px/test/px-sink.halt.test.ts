/**
 * `halt()`, the first Ctrl-C or SIGTERM (issue 24, part 5): nothing new is sent; the requests
 * on the wire finish and their rows end; the rows not sent end with no event, counted as not
 * sent; the sink then finishes at once, without error. On virtual time (helpers/virtual-time.ts)
 * against the emulator over real sockets: which requests were on the wire is the same on any
 * machine.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, describe, it } from 'node:test';
import type { RowEnvelope } from '@pxstream/core';
import { createPxSink, type SendGuard } from '../src/index.js';
import { emulatorPool, SECRET_KEY } from './helpers/emulator.js';
import { collect, userRow } from './helpers/rows.js';
import { virtualTime } from './helpers/virtual-time.js';

/** PX's answer time: requests stay on the wire this long. */
const LATENCY_MS = 300;
/** At 20/s, the 200 rows would take 10 s; halted after 2 s. */
const RATE = 20;
const ROWS = 200;
const HALT_AT_MS = 2000;

describe('px sink: halt() sends nothing new', () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());

  it('at 20/s with rows queued: only the requests on the wire finish, and the sink finishes at once', async (t) => {
    const vt = virtualTime(t);
    const px = await pool.start({ latency: { fixedMs: LATENCY_MS } }, undefined, vt.emulatorClocks);
    // Every row admitted ends once: settled (it had its answer) or abandoned (never sent).
    const admitted = new Set<RowEnvelope>();
    const ends = new Map<RowEnvelope, string>();
    const end = (row: RowEnvelope, how: string) => {
      assert.ok(!ends.has(row), `line ${row.line} ended twice`);
      ends.set(row, how);
    };
    const guard: SendGuard = {
      admit: (row) => void admitted.add(row),
      settled: (row) => end(row, 'settled'),
      abandoned: (row, maybeRecorded) => end(row, maybeRecorded ? 'in doubt' : 'abandoned'),
    };
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      rate: RATE,
      concurrency: 8,
      clock: vt.clock,
      guard,
    });
    vt.watch(sink.client);
    // Two rows per id: the second of each waits for the first to end.
    const rows = Array.from({ length: ROWS }, (_, i) => userRow(i, `halt-${Math.floor(i / 2)}`));
    const ended = collect(sink);
    let atHalt:
      | { sent: number; inFlight: number; queued: number; waitingForKey: number; ended: number }
      | undefined;
    let haltedAt = 0;
    setTimeout(() => {
      const stats = sink.stats();
      atHalt = {
        sent: stats.sent,
        inFlight: stats.inFlight,
        queued: stats.queued,
        waitingForKey: sink.waitingForKey,
        ended: ended.finished,
      };
      haltedAt = vt.now;
      sink.halt();
    }, HALT_AT_MS);
    await vt.run(pipeline(Readable.from(rows, { objectMode: true }), sink));

    assert.ok(atHalt, 'halted before the end');
    assert.ok(atHalt.inFlight > 0, 'requests were on the wire');
    assert.ok(atHalt.waitingForKey > 0, 'rows were waiting for their id');
    assert.ok(atHalt.queued > 0, 'rows were queued for the limiter');
    assert.equal(px.stats().requests, atHalt.sent, 'nothing new reached PX after halt()');
    assert.equal(sink.stats().sent, atHalt.sent);
    // One request per row here (404: skipped): the rows on the wire ended, and no other.
    assert.equal(ended.finished, atHalt.ended + atHalt.inFlight);
    assert.equal(ended.finished, atHalt.sent);
    assert.ok(vt.now - haltedAt <= LATENCY_MS, `finished ${vt.now - haltedAt} ms after halt()`);
    // The guard heard of every admitted row once: the unsent ones as abandoned, none in doubt.
    assert.equal(ends.size, admitted.size);
    const abandoned = [...ends.values()].filter((how) => how === 'abandoned').length;
    assert.equal(abandoned, admitted.size - ended.finished);
    assert.ok(abandoned > 0);
    assert.ok(![...ends.values()].includes('in doubt'));
  });
});
