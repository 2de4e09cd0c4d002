/**
 * Outages: PX down after N requests for S seconds (503 or reset), or taken down and brought
 * back through the control plane / the handle. On clocks the test sets.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@pxstream/emulator';
import { client, user } from './client.js';
import { manualClocks } from './clocks.js';

const SERVICE_UNAVAILABLE = {
  externalapierror: {
    status: 'SERVICE_UNAVAILABLE',
    message: 'Service temporarily unavailable',
    debugMessage: null,
    subErrors: null,
  },
};

describe('outages', () => {
  const started: EmulatorHandle[] = [];
  const start = async (options: EmulatorOptions) => {
    const manual = manualClocks();
    const px = await startEmulator({ rateLimit: false, ...options }, manual.clocks);
    started.push(px);
    return { px, call: client(px), ...manual };
  };
  after(() => Promise.all(started.map((px) => px.close())));
  const control = (px: EmulatorHandle, method: string, body?: unknown) =>
    fetch(`${px.url}/__emulator/outage`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('down after N requests for S seconds: 503 with PX body, counted, no quota used, then back', async () => {
    const { px, call, at } = await start({ dailyQuota: 5, outage: { afterRequests: 3, forSec: 60 } });
    for (let i = 0; i < 3; i++) assert.equal((await call('GET', '/v1/users')).status, 200);
    const down = await call('POST', '/v1/users', user('u1'));
    assert.equal(down.status, 503);
    assert.deepEqual(down.json, SERVICE_UNAVAILABLE);
    assert.equal(px.stats().records.users, 0, 'nothing applied');
    assert.equal((await client(px, 'bad-key')('GET', '/v1/users')).status, 503, 'before auth');
    const status = await (await control(px, 'GET')).json();
    assert.deepEqual(status, { down: true, kind: '503', outages: 1, requests: 2, endsInMs: 60_000 });
    at(59_999);
    for (let i = 0; i < 8; i++) assert.equal((await call('GET', '/v1/users')).status, 503);
    at(60_000);
    assert.equal((await call('GET', '/v1/users')).status, 200, 'back after 60 s');
    assert.equal((await call('GET', '/v1/users')).status, 200, 'quota 5 of 5: the 10 refused used none');
    assert.equal((await call('GET', '/v1/users')).status, 429);
    const stats = px.stats();
    assert.deepEqual(stats.outage, { down: false, outages: 1, requests: 10 });
    assert.equal(stats.requests, 16, 'requests received while down are in requests too');
    assert.equal(stats.byRoute['GET /v1/users']?.['503'], 9);
    const seconds = px.timeline().seconds;
    assert.equal(
      seconds.reduce((sum, s) => sum + s.down, 0),
      10,
      'the timeline counts them per second',
    );
    assert.equal(seconds[59]?.down, 8);
  });

  it('kind reset: every connection is reset unanswered while down', async () => {
    const { px, call, at } = await start({ outage: { afterRequests: 1, forSec: 5, kind: 'reset' } });
    assert.equal((await call('GET', '/v1/users')).status, 200);
    await assert.rejects(call('POST', '/v1/users', user('u1')));
    await assert.rejects(call('GET', '/v1/users/u1'));
    assert.equal(px.stats().records.users, 0);
    at(5_000);
    assert.equal((await call('POST', '/v1/users', user('u1'))).status, 201);
    const stats = px.stats();
    assert.equal(stats.byRoute['POST /v1/users']?.outageReset, 1);
    assert.deepEqual(stats.outage, { down: false, outages: 1, requests: 2 });
  });

  it('the control plane takes PX down and brings it back; the control plane itself stays up', async () => {
    const { px, call, at } = await start({});
    assert.equal((await control(px, 'POST', { kind: '503' })).status, 204);
    assert.equal((await call('GET', '/v1/users')).status, 503);
    at(3_600_000);
    assert.equal((await call('GET', '/v1/users')).status, 503, 'no duration: down until brought back');
    assert.equal((await fetch(`${px.url}/__emulator/stats`)).status, 200);
    assert.equal((await control(px, 'DELETE')).status, 204);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.equal((await control(px, 'POST', { kind: 'reset', forSec: 2 })).status, 204);
    await assert.rejects(call('GET', '/v1/users'));
    at(3_602_000);
    assert.equal((await call('GET', '/v1/users')).status, 200, 'back after forSec');
    assert.equal((await control(px, 'POST')).status, 204, 'no body: 503 until brought back');
    assert.deepEqual(await (await control(px, 'GET')).json(), {
      down: true,
      kind: '503',
      outages: 3,
      requests: 3,
    });
    await control(px, 'DELETE');
    assert.equal((await control(px, 'POST', { kind: 'slow' })).status, 400);
    assert.equal((await control(px, 'POST', { forSec: 0 })).status, 400);
    assert.equal((await control(px, 'PUT')).status, 405);
    assert.equal(px.stats().outage.outages, 3);
  });

  it('the handle: startOutage, endOutage (which also cancels a plan not begun), configure re-arms', async () => {
    const { px, call, at } = await start({ outage: { afterRequests: 1 } });
    px.endOutage();
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.equal((await call('GET', '/v1/users')).status, 200, 'the plan was cancelled');
    px.startOutage({ forSec: 1 });
    assert.equal((await call('GET', '/v1/users')).status, 503);
    at(1_000);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    px.configure({ outage: { afterRequests: 2, forSec: 10 } });
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.equal((await call('GET', '/v1/users')).status, 503, 'two requests after the configure');
    px.reset();
    assert.deepEqual(px.stats().outage, { down: false, outages: 0, requests: 0 }, 'reset ends it');
    assert.throws(() => px.startOutage({ forSec: -1 }), { code: 'EMULATOR_INVALID_OPTION' });
    await assert.rejects(startEmulator({ outage: { afterRequests: 1.5 } }), {
      code: 'EMULATOR_INVALID_OPTION',
    });
  });
});
