import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { type Call, client, path, user } from './client.js';

describe('users: the API table rows', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({
      rateLimit: false,
      customAttributes: {
        user: [
          { apiName: 'plan', type: 'STRING' },
          { apiName: 'seats', type: 'NUMBER' },
        ],
      },
    });
    call = client(px);
  });
  beforeEach(() => px.reset());
  after(() => px.close());

  it('POST /v1/users creates: 201 with the created record', async () => {
    const reply = await call('POST', '/v1/users', user('u1', { email: 'a@b.c' }));
    assert.equal(reply.status, 201);
    assert.equal(reply.json.identifyId, 'u1');
    assert.equal(reply.json.email, 'a@b.c');
    assert.deepEqual(reply.json.propertyKeys, ['AP-TEST-1']);
    assert.equal(typeof reply.json.createDate, 'number');
    assert.equal(typeof reply.json.aptrinsicId, 'string');
  });

  it('POST of an existing id answers 400 "possible duplicate"', async () => {
    await call('POST', '/v1/users', user('u1'));
    const reply = await call('POST', '/v1/users', user('u1'));
    assert.equal(reply.status, 400);
    assert.equal(reply.json.externalapierror.status, 'BAD_REQUEST');
    assert.match(reply.json.externalapierror.subErrors[0].message, /possible duplicate/i);
    assert.equal(px.stats().created.users, 1);
  });

  it('PUT /v1/users/{id} is a partial update (204), nested objects merged key by key', async () => {
    await call(
      'POST',
      '/v1/users',
      user('u1', {
        email: 'a@b.c',
        firstName: 'Ann',
        location: { city: 'Paris', countryCode: 'FR', coordinates: { latitude: 1, longitude: 2 } },
        customAttributes: { plan: 'gold' },
      }),
    );
    const put = await call('PUT', '/v1/users/u1', {
      firstName: 'Anna',
      location: { coordinates: { latitude: 5 } },
    });
    assert.equal(put.status, 204);
    assert.equal(put.text, '');
    const got = await call('GET', '/v1/users/u1');
    assert.equal(got.status, 200);
    assert.equal(got.json.email, 'a@b.c');
    assert.equal(got.json.firstName, 'Anna');
    assert.deepEqual(got.json.location, {
      city: 'Paris',
      countryCode: 'FR',
      coordinates: { latitude: 5, longitude: 2 },
    });
    assert.deepEqual(got.json.customAttributes, { plan: 'gold' });
  });

  it('PUT merges customAttributes key by key and replaces propertyKeys, by path and by body', async () => {
    await call('POST', '/v1/users', user('u1', { customAttributes: { plan: 'gold', seats: 3 } }));
    const byPath = await call('PUT', '/v1/users/u1', { customAttributes: { seats: 5 } });
    assert.equal(byPath.status, 204);
    assert.deepEqual((await call('GET', '/v1/users/u1')).json.customAttributes, { plan: 'gold', seats: 5 });
    const byBody = await call('PUT', '/v1/users/update', {
      identifyId: 'u1',
      propertyKeys: ['AP-OTHER-2'],
      customAttributes: { plan: 'free' },
      location: { city: 'Oslo', coordinates: { longitude: 10 } },
    });
    assert.equal(byBody.status, 204);
    const got = (await call('GET', '/v1/users/u1')).json;
    assert.deepEqual(got.customAttributes, { plan: 'free', seats: 5 });
    assert.deepEqual(got.propertyKeys, ['AP-OTHER-2']);
    assert.deepEqual(got.location, { city: 'Oslo', coordinates: { longitude: 10 } });
  });

  it('PUT /v1/users/update takes the id from the body', async () => {
    await call('POST', '/v1/users', user('u1'));
    const put = await call('PUT', '/v1/users/update', { identifyId: 'u1', lastName: 'Lee' });
    assert.equal(put.status, 204);
    assert.equal((await call('GET', '/v1/users/u1')).json.lastName, 'Lee');
    const missing = await call('PUT', '/v1/users/update', { lastName: 'Lee' });
    assert.equal(missing.status, 400);
    assert.match(missing.json.externalapierror.subErrors[0].message, /identifyId/);
  });

  it('GET /v1/users/update is the user whose id is "update", not the body-id route', async () => {
    await call('POST', '/v1/users', user('update'));
    assert.equal((await call('GET', '/v1/users/update')).json.identifyId, 'update');
  });

  it('404 with the PX body for an absent user, on get, update and delete', async () => {
    const expected = {
      externalapierror: {
        status: 'NOT_FOUND',
        message: 'User was not found for parameters {id=absent-id}',
        debugMessage: null,
        subErrors: null,
      },
    };
    for (const [method, body] of [['GET'], ['PUT', { email: 'x@y.z' }], ['DELETE']] as const) {
      const reply = await call(method, '/v1/users/absent-id', body);
      assert.equal(reply.status, 404, method);
      assert.deepEqual(reply.json, expected);
    }
    const byBody = await call('PUT', '/v1/users/update', { identifyId: 'absent-id' });
    assert.deepEqual(byBody.json, expected);
  });

  it('a path id and a different body id are refused', async () => {
    await call('POST', '/v1/users', user('u1'));
    const reply = await call('PUT', '/v1/users/u1', { identifyId: 'u2' });
    assert.equal(reply.status, 400);
  });

  it('soft delete (default): 204, then 404 for get/update/delete, a create revives it with its history', async () => {
    await call('POST', '/v1/users', user('u1', { email: 'old@x.y' }));
    assert.equal((await call('DELETE', '/v1/users/u1')).status, 204);
    assert.equal((await call('GET', '/v1/users/u1')).status, 404);
    assert.equal((await call('PUT', '/v1/users/u1', { email: 'a@b.c' })).status, 404);
    assert.equal((await call('DELETE', '/v1/users/u1?hardDelete=false')).status, 404);
    assert.equal(px.stats().records.users, 0);
    const withDeleted = await fetch(`${px.url}/__emulator/dump?type=users&includeDeleted=true`);
    assert.match(await withDeleted.text(), /"deleted":true/);
    const revived = await call('POST', '/v1/users', user('u1'));
    assert.equal(revived.status, 201);
    assert.equal(revived.json.email, 'old@x.y', 'within the revive window: its history is back');
  });

  it('hard delete removes the record for good', async () => {
    await call('POST', '/v1/users', user('u1'));
    assert.equal((await call('DELETE', '/v1/users/u1?hardDelete=true')).status, 204);
    assert.equal((await call('GET', '/v1/users/u1')).status, 404);
    const withDeleted = await fetch(`${px.url}/__emulator/dump?type=users&includeDeleted=true`);
    assert.equal(await withDeleted.text(), '');
    assert.equal((await call('DELETE', '/v1/users/u1?hardDelete=maybe')).status, 400);
  });

  it('401 with an error body for a missing or wrong key', async () => {
    for (const key of [null, 'wrong-key']) {
      const reply = await client(px, key)('GET', '/v1/users/u1');
      assert.equal(reply.status, 401);
      assert.equal(reply.json.externalapierror.status, 'UNAUTHORIZED');
    }
  });

  it('a key revoked with configure() answers 401', async () => {
    px.configure({ apiKeys: ['other'] });
    try {
      assert.equal((await call('GET', '/v1/users')).status, 401);
      assert.equal((await client(px, 'other')('GET', '/v1/users')).status, 200);
    } finally {
      px.configure({ apiKeys: [px.apiKey] });
    }
  });

  it('unknown routes answer 404, wrong methods 405 with Allow', async () => {
    const unknown = await call('GET', '/v1/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal((await call('GET', '/v1/users/a/b')).status, 404);
    assert.equal((await call('GET', '/')).status, 404);
    const wrong = await call('PATCH', '/v1/users/u1', {});
    assert.equal(wrong.status, 405);
    assert.match(wrong.headers.get('allow') ?? '', /PUT/);
    assert.equal((await call('DELETE', '/v1/users')).status, 405);
    assert.equal(px.stats().byRoute['PATCH /v1/users/{id}']?.['405'], 1);
  });

  it('counts requests per route pattern and status', async () => {
    await call('POST', '/v1/users', user('u1'));
    await call('PUT', path('/v1/users', 'u1'), { email: 'a@b.c' });
    await call('PUT', path('/v1/users', 'u2'), { email: 'a@b.c' });
    const stats = px.stats();
    assert.deepEqual(stats.byRoute['PUT /v1/users/{id}'], { '204': 1, '404': 1 });
    assert.deepEqual(stats.byRoute['POST /v1/users'], { '201': 1 });
    assert.equal(stats.requests, 3);
    assert.ok(stats.maxPerSecond >= 1 && stats.maxPerSecond <= 3);
  });
});
