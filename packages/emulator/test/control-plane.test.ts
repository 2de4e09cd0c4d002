import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type EmulatorHandle, type EmulatorStats, startEmulator } from '@pxstream/emulator';
import { type Call, client, dump, user } from './client.js';

describe('control plane /__emulator/', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({
      rateLimit: false,
      customAttributes: { user: [{ apiName: 'plan', type: 'STRING' }] },
    });
    call = client(px);
  });
  beforeEach(() => px.reset());
  after(() => px.close());

  const control = (method: string, path: string, body?: string, type?: string) =>
    fetch(`${px.url}/__emulator/${path}`, {
      method,
      body,
      headers: type ? { 'content-type': type } : {},
    });

  it('seeds JSON {users, accounts} without a key, then the API serves them', async () => {
    const seeded = await control(
      'POST',
      'seed',
      JSON.stringify({
        users: [user('s1', { customAttributes: { plan: 'gold' } }), user('s2')],
        accounts: [{ id: 'a1', name: 'A', propertyKeys: ['AP-1'] }],
      }),
      'application/json',
    );
    assert.equal(seeded.status, 200);
    assert.deepEqual(await seeded.json(), { users: 2, accounts: 1 });
    assert.equal((await call('GET', '/v1/users/s1')).json.customAttributes.plan, 'gold');
    assert.equal((await call('GET', '/v1/accounts/a1')).status, 200);
    assert.equal(px.stats().created.users, 0, 'seeding is not creating through the API');
  });

  it('seeds NDJSON: users by identifyId, accounts by id, or forced with ?type=', async () => {
    const lines = [
      JSON.stringify(user('n1')),
      '',
      JSON.stringify({ id: 'a1', name: 'A', propertyKeys: ['AP-1'] }),
    ];
    const seeded = await control(
      'POST',
      'seed',
      `${lines.join('\n')}\n${JSON.stringify(user('n2'))}`,
      'application/x-ndjson',
    );
    assert.deepEqual(await seeded.json(), { users: 2, accounts: 1 });
    assert.deepEqual(px.stats().records, { users: 2, accounts: 1, events: 0, preferences: 0 });
  });

  it('a bad seed line answers 400 naming the line', async () => {
    const seeded = await control(
      'POST',
      'seed',
      `${JSON.stringify(user('ok'))}\n{"identifyId": 1}\n`,
      'application/x-ndjson',
    );
    assert.equal(seeded.status, 400);
    assert.match(await seeded.text(), /line 2/);
  });

  it('a dump can be seeded again (read-only fields are ignored)', async () => {
    await call('POST', '/v1/users', user('d1', { email: 'd@x.y' }));
    const text = await (await control('GET', 'dump?type=users')).text();
    await control('POST', 'reset');
    const seeded = await control('POST', 'seed', text, 'application/x-ndjson');
    assert.equal(seeded.status, 200);
    assert.equal((await call('GET', '/v1/users/d1')).json.email, 'd@x.y');
  });

  it('dumps every type as NDJSON', async () => {
    await call('POST', '/v1/users', user('u1'));
    await call('PUT', '/v1/user/preferences/u1', { surveys: true });
    await call('POST', '/v1/events/custom', { identifyId: 'u1', eventName: 'e' });
    const response = await control('GET', 'dump?type=users');
    assert.match(response.headers.get('content-type') ?? '', /ndjson/);
    assert.equal((await dump(px, 'users'))[0]?.identifyId, 'u1');
    assert.deepEqual(await dump(px, 'preferences'), [{ identifyId: 'u1', surveys: true }]);
    assert.deepEqual(await dump(px, 'events'), [{ identifyId: 'u1', eventName: 'e' }]);
    assert.equal((await control('GET', 'dump?type=widgets')).status, 400);
  });

  it('dumps many records through backpressure', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify(user(`big${i}`, { email: `${i}@x.y` })),
    );
    await control('POST', 'seed', lines.join('\n'), 'application/x-ndjson');
    const records = await dump(px, 'users');
    assert.equal(records.length, 20_000);
    assert.equal(new Set(records.map((r) => r.identifyId)).size, 20_000);
  });

  it('GET stats is the EmulatorStats JSON; POST reset clears everything', async () => {
    await call('POST', '/v1/users', user('u1'));
    const stats = (await (await control('GET', 'stats')).json()) as EmulatorStats;
    assert.equal(stats.requests, 1);
    assert.deepEqual(stats.created, { users: 1, accounts: 0, events: 0 });
    assert.deepEqual(stats.byRoute, { 'POST /v1/users': { '201': 1 } });
    assert.equal((await control('POST', 'reset')).status, 204);
    assert.equal(px.stats().requests, 0);
    assert.equal(px.stats().records.users, 0);
    assert.equal((await call('GET', '/v1/users/u1')).status, 404);
  });

  it('PATCH config works like configure(); bad values answer 400', async () => {
    const patched = await control(
      'PATCH',
      'config',
      JSON.stringify({ faults: { serverError: 1 } }),
      'application/json',
    );
    assert.equal(patched.status, 204);
    assert.ok((await call('GET', '/v1/users')).status >= 500);
    const bad = await control(
      'PATCH',
      'config',
      JSON.stringify({ faults: { serverError: 2 } }),
      'application/json',
    );
    assert.equal(bad.status, 400);
    await control('PATCH', 'config', JSON.stringify({ faults: {} }), 'application/json');
    assert.equal((await call('GET', '/v1/users')).status, 200);
  });

  it('GET memory reports the process memory', async () => {
    const memory = (await (await control('GET', 'memory')).json()) as {
      heapUsed: number;
      rss: number;
      maxRss: number;
    };
    assert.ok(memory.heapUsed > 0 && memory.rss >= memory.heapUsed);
    assert.ok(memory.maxRss >= memory.rss, 'the peak is at least the current RSS');
  });

  it('?type=accounts forces NDJSON lines to be accounts', async () => {
    const line = JSON.stringify({ id: 'x1', name: 'X', propertyKeys: ['AP-1'] });
    assert.deepEqual(await (await control('POST', 'seed?type=accounts', line)).json(), {
      users: 0,
      accounts: 1,
    });
  });

  it('unknown control routes 404, wrong methods 405', async () => {
    assert.equal((await control('GET', 'nothing')).status, 404);
    assert.equal((await control('GET', 'reset')).status, 405);
  });

  it('maxPerSecond counts a burst of concurrent requests', async () => {
    await Promise.all(Array.from({ length: 30 }, () => call('GET', '/v1/users')));
    const { maxPerSecond, requests } = px.stats();
    assert.equal(requests, 30);
    assert.ok(maxPerSecond >= 1 && maxPerSecond <= 30, String(maxPerSecond));
  });
});
