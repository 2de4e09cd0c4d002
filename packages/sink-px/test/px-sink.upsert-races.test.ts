import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPxSink } from '../src/index.js';
import { SECRET_KEY } from './helpers/emulator.js';
import { DUPLICATE, NOT_FOUND, oneRow, userRecord } from './helpers/one-row.js';
import { load, userRow } from './helpers/rows.js';
import { pxError, type Reply, scripted } from './helpers/scripted.js';

describe('px sink: insert-missing races and ambiguous creates (scripted PX)', () => {
  it('a 400 duplicate after our PUT found nothing (created by someone else meanwhile): one more PUT, updated', async () => {
    const run = await oneRow([NOT_FOUND, DUPLICATE, { status: 204 }]);
    assert.deepEqual(run.requests, ['PUT /v1/users/u', 'POST /v1/users', 'PUT /v1/users/u']);
    assert.equal(run.outcome?.outcome, 'updated');
    assert.equal(run.rejection, undefined);
  });

  it('a 400 duplicate on a create retried after a 500: read back, it holds the row, so it is ours: inserted, no extra PUT', async () => {
    const run = await oneRow([
      NOT_FOUND,
      { status: 500, body: pxError('INTERNAL_SERVER_ERROR', 'boom') },
      DUPLICATE,
      userRecord(),
    ]);
    assert.deepEqual(run.requests, [
      'PUT /v1/users/u',
      'POST /v1/users',
      'POST /v1/users',
      'GET /v1/users/u',
    ]);
    assert.equal(run.outcome?.outcome, 'inserted');
  });

  it('POST answer lost: GET first; 404 means retry the POST (201 inserted)', async () => {
    const run = await oneRow([
      NOT_FOUND,
      { status: 0 },
      NOT_FOUND,
      { status: 201, body: userRecord().body! },
    ]);
    assert.deepEqual(run.requests, [
      'PUT /v1/users/u',
      'POST /v1/users',
      'GET /v1/users/u',
      'POST /v1/users',
    ]);
    assert.equal(run.outcome?.outcome, 'inserted');
    assert.equal(run.sink.stats().retries, 1, 'the second POST is a retry, the read-back is not');
  });

  it('POST answer lost, read-back reset too: the GET is retried, 200 means inserted', async () => {
    const run = await oneRow([NOT_FOUND, { status: 0 }, { status: 0 }, userRecord()]);
    assert.deepEqual(run.requests, [
      'PUT /v1/users/u',
      'POST /v1/users',
      'GET /v1/users/u',
      'GET /v1/users/u',
    ]);
    assert.equal(run.outcome?.outcome, 'inserted');
  });

  it('POST answer lost, then a duplicate on the retried POST: read back holding the row, ours, inserted', async () => {
    // The read-back raced the create: 404, yet the first POST went through after all.
    const run = await oneRow([NOT_FOUND, { status: 0 }, NOT_FOUND, DUPLICATE, userRecord()]);
    assert.equal(run.outcome?.outcome, 'inserted');
    assert.deepEqual(run.requests.slice(3), ['POST /v1/users', 'GET /v1/users/u']);
  });

  it('each request has its own attempts: 5 failed PUTs then 5 failed POSTs still end inserted', async () => {
    const busy: Reply = { status: 503, body: pxError('SERVICE_UNAVAILABLE', 'busy') };
    const run = await oneRow([
      ...Array(5).fill(busy),
      NOT_FOUND,
      ...Array(5).fill(busy),
      { status: 201, body: userRecord().body! },
    ]);
    assert.equal(run.outcome?.outcome, 'inserted');
    assert.equal(run.sink.stats().retries, 10);
  });

  it('the read-back has attempts of its own: 5 lost POSTs, each read back through 5 resets, still inserted', async () => {
    const lostThenReadBack: Reply[] = [{ status: 0 }, ...Array(5).fill({ status: 0 }), NOT_FOUND];
    const run = await oneRow([
      NOT_FOUND,
      ...Array.from({ length: 5 }, () => lostThenReadBack).flat(),
      { status: 201, body: userRecord().body! },
    ]);
    assert.equal(run.outcome?.outcome, 'inserted', run.rejection?.message);
    assert.equal(run.requests.length, 1 + 5 * 7 + 1);
  });

  it('the request carries the key header, JSON body and the raw encoded path', async () => {
    const px = await scripted(() => ({ status: 204 }));
    try {
      const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER', rate: 100 });
      await load(sink, [userRow(0, '../admin', { email: 'x@example.com' }), userRow(1, '..')]);
      const byUrl = new Map(px.seen.map((r) => [r.url, r]));
      const encoded = byUrl.get('/v1/users/..%2Fadmin');
      assert.ok(encoded, [...byUrl.keys()].join(' '));
      assert.equal(encoded.headers['x-aptrinsic-api-key'], SECRET_KEY);
      assert.match(String(encoded.headers['content-type']), /^application\/json/);
      assert.deepEqual(JSON.parse(encoded.body), {
        identifyId: '../admin',
        propertyKeys: ['AP-TEST00000000-1'],
        email: 'x@example.com',
      });
      const dots = byUrl.get('/v1/users/update');
      assert.equal(JSON.parse(dots!.body).identifyId, '..');
      assert.equal(encoded.headers.connection, 'keep-alive');
    } finally {
      await px.close();
    }
  });

  it('connections are kept alive: 40 rows, a handful of connections', async () => {
    const px = await scripted(() => ({ status: 204 }));
    try {
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 400,
        concurrency: 4,
      });
      await load(
        sink,
        Array.from({ length: 40 }, (_, i) => userRow(i, `k${i}`)),
      );
      assert.equal(px.seen.length, 40);
      assert.ok(px.connections <= 4, `${px.connections} connections for 40 requests`);
    } finally {
      await px.close();
    }
  });
});
