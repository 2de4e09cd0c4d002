import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { createPxClient, type PxClient } from '../src/index.js';
import {
  type EmulatorHandle,
  emulator,
  recordsById,
  SECRET_KEY,
  seed,
  seedUsers,
} from './helpers/emulator.js';
import { PRODUCT_KEY, userRow } from './helpers/rows.js';
import { freePort, scripted } from './helpers/scripted.js';
import { virtualTime } from './helpers/virtual-time.js';

describe('px client: the plain async API', () => {
  let px: EmulatorHandle;
  let client: PxClient;
  before(async () => {
    px = await emulator({ customAttributes: { user: [{ apiName: 'plan', type: 'STRING' }] } });
    client = createPxClient({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, timeoutMs: 5000 });
  });
  after(async () => {
    client.close();
    await px.close();
  });

  it('getAttributeMetadata lists PX attributes, custom ones included', async () => {
    const users = await client.getAttributeMetadata('user');
    assert.ok(users.some((a) => a.apiName === 'plan' && a.type === 'STRING' && a.origin === 'CUSTOM'));
    assert.ok(
      users.some((a) => a.apiName === 'id'),
      'the user key is listed as id',
    );
    const accounts = await client.getAttributeMetadata('account');
    assert.ok(accounts.length > 0);
    assert.ok(accounts.some((a) => a.apiName === 'name'));
    assert.equal(
      accounts.some((a) => a.origin === 'CUSTOM'),
      false,
    );
  });

  it('getRecord: the record, or undefined on 404, odd ids included', async () => {
    await seed(px, {
      users: [{ identifyId: 'a/b?c#d é', propertyKeys: [PRODUCT_KEY], email: 'odd@example.com' }],
    });
    const record = await client.getRecord('USER', 'a/b?c#d é');
    assert.equal(record?.email, 'odd@example.com');
    assert.equal(await client.getRecord('USER', 'a'), undefined);
    assert.equal(await client.getRecord('ACCOUNT', 'nope'), undefined);
  });

  it('send() takes a row or { key, body } and resolves with how the row ended', async () => {
    const inserted = await client.send(
      'USER',
      { key: 'embed-1', body: { identifyId: 'embed-1', propertyKeys: [PRODUCT_KEY] } },
      { insertMissing: true },
    );
    assert.deepEqual(inserted, { outcome: 'inserted', status: 201, attempts: 2 });
    const updated = await client.send('USER', userRow(0, 'embed-1', { customAttributes: { plan: 'gold' } }));
    assert.deepEqual(updated, { outcome: 'updated', status: 204, attempts: 1 });
    const skipped = await client.send('USER', userRow(1, 'embed-2'));
    assert.deepEqual(skipped, { outcome: 'skipped', status: 404, reason: 'no match', attempts: 1 });
    const rejected = await client.send('USER', userRow(2, 'embed-1', { customAttributes: { plan: 3 } }));
    assert.equal(rejected.outcome, 'rejected');
    assert.ok(rejected.outcome === 'rejected' && rejected.code === 'PX_HTTP_400' && rejected.status === 400);
    // The rejected row changed nothing: the plan is the one the update set.
    assert.deepEqual((await recordsById(px, 'users')).get('embed-1')?.customAttributes, { plan: 'gold' });
    const stats = client.stats();
    assert.equal(stats.inserted, 1);
    assert.equal(stats.updated, 1);
    assert.equal(stats.skipped, 1);
    assert.equal(stats.rejected, 1);
  });

  it('HTTP errors: PxStreamError with status; 401 is PX_AUTH_FAILED and fatal', async () => {
    const wrongKey = createPxClient({ baseUrl: px.baseUrl, apiKey: 'not-the-key' });
    await assert.rejects(wrongKey.getAttributeMetadata('user'), {
      name: 'PxStreamError',
      code: 'PX_AUTH_FAILED',
      status: 401,
      fatal: true,
      message: `PX rejected the API key (HTTP 401) at ${px.baseUrl}`,
    });
    // After a fatal answer the client sends nothing more.
    await assert.rejects(wrongKey.send('USER', userRow(0, 'x')), { code: 'PX_AUTH_FAILED' });
    assert.equal(wrongKey.stats().sent, 1);
    wrongKey.close();

    const missing = await scripted(() => ({ status: 404, body: { errorMessage: 'No route' } }));
    const old = createPxClient({ baseUrl: missing.baseUrl, apiKey: SECRET_KEY });
    // A 404 that is not PX's record error: no PX route there, a wrong base URL (fatal, named).
    await assert.rejects(old.getAttributeMetadata('user'), {
      code: 'PX_WRONG_BASE_URL',
      status: 404,
      message: /No route/,
    });
    old.close();
    await missing.close();
  });

  it('a read PX fails every time, wait: false: PX_UNAVAILABLE with the last status and message', async (t) => {
    // Virtual time: the spell of 30 s in no time.
    const vt = virtualTime(t);
    const broken = await scripted(
      () => ({ status: 500, body: '<html><title>Oops</title></html>' }),
      vt.clock,
    );
    const flaky = createPxClient({
      baseUrl: broken.baseUrl,
      apiKey: SECRET_KEY,
      maxAttempts: 2,
      backoffBaseMs: 5,
      wait: false,
      clock: vt.clock,
    });
    vt.watch(flaky);
    await assert.rejects(vt.run(flaky.getAttributeMetadata('account')), {
      code: 'PX_UNAVAILABLE',
      status: 500,
      message: /last: HTTP 500 Oops\)$/,
    });
    flaky.close();
    await broken.close();
  });

  it('close(): pending and later calls reject with PX_ABORTED', async () => {
    const port = await freePort();
    const closing = createPxClient({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      apiKey: SECRET_KEY,
      backoffBaseMs: 1000,
    });
    const pending = closing.send('USER', userRow(0, 'late'));
    setTimeout(() => closing.close(), 50);
    await assert.rejects(pending, { code: 'PX_ABORTED' });
    await assert.rejects(closing.send('USER', userRow(1, 'later')), { code: 'PX_ABORTED' });
  });

  it('leaves no listener behind: after resets, hangs, 5xx and 429s the shared abort signal has none', async () => {
    const faulty = await emulator({
      faults: { seed: 3, resetBefore: 0.1, resetAfter: 0.1, hang: 0.05, serverError: 0.1 },
      rateLimit: { perSecond: 300, burst: 5 },
    });
    const ids = Array.from({ length: 60 }, (_, i) => `l${i}`);
    await seed(faulty, { users: seedUsers(ids.filter((_, i) => i % 2 === 0)) });
    const busy = createPxClient({
      baseUrl: faulty.baseUrl,
      apiKey: SECRET_KEY,
      rate: 1000,
      timeoutMs: 200,
      backoffBaseMs: 5,
      maxAttempts: 10,
    });
    try {
      const results = await Promise.all(
        ids.map((id, i) => busy.send('USER', userRow(i, id), { insertMissing: true })),
      );
      assert.deepEqual(
        results.filter((r) => r.outcome === 'rejected'),
        [],
      );
      const stats = busy.stats();
      assert.ok(stats.retries > 10 && (stats.byStatus.timeout ?? 0) > 0, JSON.stringify(stats.byStatus));
      const session = (busy as unknown as { session: { controller: AbortController } }).session;
      assert.equal(getEventListeners(session.controller.signal, 'abort').length, 0);
      assert.equal(stats.inFlight + stats.pending, 0);
    } finally {
      busy.close();
      await faulty.close();
    }
  });

  it('bad options are refused: plain http to a remote host, rate 0, empty key', () => {
    assert.throws(() => createPxClient({ baseUrl: 'http://api.aptrinsic.com/v1', apiKey: 'k' }), {
      code: 'PX_INVALID_OPTION',
      message: /https/,
    });
    assert.throws(() => createPxClient({ baseUrl: px.baseUrl, apiKey: 'k', rate: 0 }), {
      code: 'PX_INVALID_OPTION',
    });
    assert.throws(() => createPxClient({ baseUrl: px.baseUrl, apiKey: '' }), { code: 'PX_INVALID_OPTION' });
  });
});
