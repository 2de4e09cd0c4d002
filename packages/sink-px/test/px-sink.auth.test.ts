import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { OUTCOME_EVENT, type RowEnvelope, type RowOutcome, startPipeline } from '@pxstream/core';
import { createPxClient, createPxSink, type PxSink } from '../src/index.js';
import {
  type EmulatorOptions,
  emulatorPool,
  recordsById,
  SECRET_KEY,
  seed,
  seedUsers,
} from './helpers/emulator.js';
import { collect, load, userRow } from './helpers/rows.js';
import { freePort, pxError, scripted } from './helpers/scripted.js';
import { type VirtualTime, virtualTime } from './helpers/virtual-time.js';

const idOf = (i: number) => `auth-${i}`;

/** A row source as the pipeline wants it: an object-mode Readable of envelopes. */
function source(rows: RowEnvelope[]): Readable {
  return Readable.from(rows, { objectMode: true });
}

/**
 * The fatal answers' tests that count requests around the answer run on virtual time
 * (helpers/virtual-time.ts): the limiter's pace and PX's latency on one clock the test moves,
 * so "how many went after the answer" is exact on any machine.
 */
describe('px sink: fatal answers stop the run at once', () => {
  const pool = emulatorPool();
  const start = (options: EmulatorOptions = {}, vt?: VirtualTime) =>
    pool.start(options, undefined, vt?.emulatorClocks);
  after(() => pool.closeAll());

  it('401 mid-run (key revoked): the pipeline fails with PX_AUTH_FAILED, nothing more is sent, finished + not sent = read', async (t) => {
    const vt = virtualTime(t);
    const ROWS = 2000;
    const px = await start({ latency: { fixedMs: 2 } }, vt);
    await seed(px, { users: seedUsers(Array.from({ length: ROWS }, (_, i) => idOf(i))) });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: false,
      rate: 1000,
      clock: vt.clock,
    });
    vt.watch(sink.client);
    const rows = Array.from({ length: ROWS }, (_, i) => userRow(i, idOf(i), { title: 'loaded' }));
    const ended = collect(sink);
    let revokedAt = -1;
    sink.on(OUTCOME_EVENT, () => {
      if (ended.finished === 200) {
        revokedAt = sink.stats().sent;
        px.configure({ apiKeys: ['another-key'] });
      }
    });
    let eventsAfterError = 0;
    sink.once('error', () => {
      sink.on(OUTCOME_EVENT, () => eventsAfterError++);
      sink.on('rejection', () => eventsAfterError++);
    });
    const handle = startPipeline({ source: source(rows), sink, onRejection: () => {} });
    const error = await vt.run(handle.done).then(
      () => assert.fail('the run should fail'),
      (e: unknown) => e as { code: string; status: number; fatal: boolean; message: string },
    );
    assert.equal(error.code, 'PX_AUTH_FAILED');
    assert.equal(error.status, 401);
    assert.equal(error.fatal, true);
    assert.equal(error.message, `PX rejected the API key (HTTP 401) at ${px.baseUrl}`);
    assert.ok(revokedAt > 0);

    const sentAtError = sink.stats().sent;
    // A second later (virtual), still nothing more.
    await vt.run(new Promise((resolve) => setTimeout(resolve, 1000)));
    assert.equal(sink.stats().sent, sentAtError, 'no request after the fatal error');
    assert.equal(
      px.stats().requests,
      sentAtError,
      'the emulator saw every request the sink counted, no other',
    );
    assert.equal(eventsAfterError, 0, 'no outcome for rows not finished');
    // Stopped at the first 401: PX checks the key before its latency, so the first request sent
    // after the revocation is answered 401 at once (one start a millisecond at 1000/s), and
    // nothing starts after it.
    assert.equal(sentAtError, revokedAt + 1, 'stopped at the first 401');

    // updated + inserted + skipped + rejected + not sent == rows read, each row ended at most once.
    const stats = handle.stats;
    assert.deepEqual(
      [...ended.endsByIndex].filter(([, n]) => n !== 1),
      [],
      'no row ended twice',
    );
    assert.equal(stats.updated, ended.count('updated'));
    assert.equal(stats.updated + stats.inserted + stats.skipped, ended.outcomes.length);
    assert.equal(stats.rejected, 0, 'a 401 is not a row rejection');
    assert.ok(stats.read > ended.finished && stats.read <= ROWS, `read ${stats.read}`);
    assert.equal(stats.notSent, stats.read - ended.finished, 'rows read and not finished are not sent');
    assert.ok(stats.notSent > 0);
    // Rows reported updated really were; rows not sent may or may not have been (in flight);
    // no user was created, none twice.
    const records = await recordsById(px, 'users');
    assert.equal(records.size, ROWS);
    assert.equal(px.stats().created.users, 0);
    for (const outcome of ended.outcomes) assert.equal(records.get(outcome.row.key!)?.title, 'loaded');
    const titled = [...records.values()].filter((user) => user.title === 'loaded').length;
    // Applied: the rows reported, plus at most the others already sent when the key was revoked.
    assert.ok(titled >= ended.outcomes.length && titled <= revokedAt, `${titled} users updated`);
  });

  it('403 from a proxy (HTML body): PX_AUTH_FAILED, status 403, write permission named, the key in no message', async (t) => {
    const vt = virtualTime(t);
    const proxy = await scripted(
      () => ({
        status: 403,
        headers: { 'content-type': 'text/html' },
        body: `<html><head><title>403 Forbidden</title></head><body>key ${SECRET_KEY} denied</body></html>`,
      }),
      vt.clock,
    );
    try {
      // 100/s: the second row's start is due 10 ms after the first; the 403 came back before.
      const sink = createPxSink({
        baseUrl: proxy.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 100,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const errors: Error[] = [];
      sink.on('error', (error) => errors.push(error));
      await assert.rejects(vt.run(load(sink, [userRow(0, 'a'), userRow(1, 'b')])), {
        code: 'PX_AUTH_FAILED',
        status: 403,
        message:
          `the API key lacks write permission for users: PX answered HTTP 403 to a write (PUT) at ` +
          `${proxy.baseUrl} ("403 Forbidden"). Give the key the Write permission (PX: Settings, ` +
          'REST API), or use a key that has it',
      });
      assert.equal(errors.length, 1);
      assert.equal(proxy.seen.length, 1, 'the second row was never sent');
      assert.equal(proxy.seen[0]!.headers['x-aptrinsic-api-key'], SECRET_KEY);
    } finally {
      await proxy.close();
    }
  });

  it('wait: false, daily quota exhausted (429 "Daily quota exceeded"): fatal PX_DAILY_QUOTA, not retried', async (t) => {
    const vt = virtualTime(t);
    const px = await start({ dailyQuota: 5, dailyQuotaBody: 'quota', latency: { fixedMs: 30 } }, vt);
    await seed(px, { users: seedUsers(Array.from({ length: 20 }, (_, i) => idOf(i))) });
    // 100/s against a 30 ms latency: three requests on the wire at a time.
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      rate: 100,
      wait: false,
      clock: vt.clock,
    });
    vt.watch(sink.client);
    const ended = collect(sink);
    await assert.rejects(
      vt.run(
        load(
          sink,
          Array.from({ length: 20 }, (_, i) => userRow(i, idOf(i))),
        ),
      ),
      (error: { code: string; status: number; fatal: boolean; message: string }) => {
        assert.equal(error.code, 'PX_DAILY_QUOTA');
        assert.equal(error.status, 429);
        assert.equal(error.fatal, true);
        assert.match(error.message, /Daily quota exceeded/);
        return true;
      },
    );
    assert.equal(ended.count('updated'), 5);
    assert.equal(sink.stats().retries, 0);
    // Requests start every 10 ms; the quota answers at once (before the latency): the 6th, at
    // 50 ms, is refused at once, while the 4th and 5th (30 and 40 ms) are still on the wire. They
    // get their answers (a fatal stops new starts, not requests in flight); nothing starts after.
    assert.equal(px.stats().rateLimited, 1, 'the one refused request');
    assert.equal(px.stats().requests, 6, 'no request started after the fatal answer');
  });

  it('the API key appears in no rejection, error or stats, even when PX echoes it', async (t) => {
    // Virtual time: PX never answering (refused) ends the client only after the spell of a wait.
    const vt = virtualTime(t);
    const echo = await scripted(
      (request) =>
        request.method === 'PUT'
          ? {
              status: 400,
              body: pxError('BAD_REQUEST', `bad request with key ${SECRET_KEY}`, [
                { message: `key ${SECRET_KEY}` },
              ]),
            }
          : { status: 200, body: [] },
      vt.clock,
    );
    try {
      const sink: PxSink = createPxSink({
        baseUrl: echo.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 100,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const result = await vt.run(load(sink, [userRow(0, 'x')]));
      assert.equal(result.rejections[0]?.code, 'PX_HTTP_400');
      assert.equal(result.rejections[0]?.message, 'key [REDACTED]');
      const texts = [
        JSON.stringify(result.rejections.map(({ row: _row, ...rest }) => rest)),
        JSON.stringify(sink.stats()),
      ];
      const client = createPxClient({
        baseUrl: `http://127.0.0.1:${await freePort()}/v1`,
        apiKey: SECRET_KEY,
        wait: false,
        clock: vt.clock,
      });
      vt.watch(client);
      const failure = await vt.run(client.getAttributeMetadata('user').catch((error: Error) => error));
      assert.equal((failure as { code?: string }).code, 'PX_UNAVAILABLE');
      assert.match(String(failure), /last: no connection \(connect ECONNREFUSED/);
      client.close();
      texts.push(String(failure), JSON.stringify(failure));
      for (const text of texts) assert.ok(!text.includes(SECRET_KEY), text);
    } finally {
      await echo.close();
    }
  });

  it('outcome events carry the row; sink.stats() counts match the events', async () => {
    const px = await start();
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 500,
    });
    const outcomes: RowOutcome[] = [];
    sink.on(OUTCOME_EVENT, (outcome: RowOutcome) => outcomes.push(outcome));
    await load(sink, [userRow(0, 'n1'), userRow(1, 'n2')]);
    assert.deepEqual(outcomes.map((o) => [o.row.key, o.outcome]).sort(), [
      ['n1', 'inserted'],
      ['n2', 'inserted'],
    ]);
    assert.equal(sink.stats().inserted, 2);
    assert.equal(sink.stats().pending, 0);
  });
});
