/**
 * The peer PX server's quota, outages, lists and deletes (bench/src/peer-px, written from
 * px-api.md alone), over real sockets, on clocks the test sets.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type PeerOptions, startPeer } from '../src/peer-px/server.js';

const KEY = 'peer-test-key';

async function peer(options: Partial<PeerOptions> = {}) {
  const time = { mono: 0, wall: 1_700_000_000_000 };
  const px = await startPeer({
    key: KEY,
    perSecond: 100_000,
    shape: 'bucket',
    clock: () => time.mono,
    wallClock: () => time.wall,
    ...options,
  });
  const call = async (method: string, path: string, body?: unknown, key = KEY) => {
    const response = await fetch(`${px.url}${path}`, {
      method,
      headers: { 'x-aptrinsic-api-key': key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: test convenience, as the emulator tests' client
    let json: any;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
  const at = (ms: number) => {
    time.wall += ms - time.mono;
    time.mono = ms;
  };
  return { px, call, at, time };
}

const user = (identifyId: string, extra: Record<string, unknown> = {}) => ({
  identifyId,
  propertyKeys: ['AP-PEER-1'],
  ...extra,
});
const enc = (id: string) => encodeURIComponent(id);

describe('peer PX: daily quota, outages, lists, deletes', () => {
  const started: Array<{ close(): Promise<void> }> = [];
  const start = async (options: Partial<PeerOptions> = {}) => {
    const p = await peer(options);
    started.push(p.px);
    return p;
  };
  after(() => Promise.all(started.map((p) => p.close())));

  it("a spent quota answers PX's plain 429, with no Retry-After; fixed days from the start", async () => {
    const { call, at } = await start({ dailyQuota: 2, dayLengthSec: 60 });
    assert.equal((await call('GET', '/v1/users/x')).status, 404);
    assert.equal((await call('GET', '/v1/users/x')).status, 404);
    const spent = await call('GET', '/v1/users/x');
    assert.equal(spent.status, 429);
    assert.equal(spent.json.externalapierror.message, 'Rate limit exceeded');
    assert.equal(spent.headers.get('retry-after'), null);
    assert.equal((await call('GET', '/v1/users/x', undefined, 'bad')).status, 401, 'a bad key uses no quota');
    at(59_999);
    assert.equal((await call('GET', '/v1/users/x')).status, 429);
    at(60_000);
    assert.equal((await call('GET', '/v1/users/x')).status, 404, 'day 1');
  });

  it('a rolling day admits a request once the oldest of the quota left the window', async () => {
    const { call, at } = await start({ dailyQuota: 2, dayLengthSec: 10, quotaDays: 'rolling' });
    assert.equal((await call('GET', '/v1/users')).status, 200);
    at(5_000);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    at(9_999);
    assert.equal((await call('GET', '/v1/users')).status, 429);
    at(10_000);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.equal((await call('GET', '/v1/users')).status, 429);
    at(15_000);
    assert.equal((await call('GET', '/v1/users')).status, 200);
  });

  it('an outage after N requests: 503 pages before the key check, then back; a reset kind; the control plane', async () => {
    const { px, call, at } = await start({ outage: { afterRequests: 2, forSec: 5 } });
    for (let i = 0; i < 2; i++) assert.equal((await call('GET', '/v1/users')).status, 200);
    const down = await call('POST', '/v1/users', user('u1'));
    assert.equal(down.status, 503);
    assert.match(down.text, /<title>503 Service Temporarily Unavailable<\/title>/);
    assert.equal((await call('GET', '/v1/users', undefined, 'bad')).status, 503);
    at(5_000);
    assert.equal((await call('GET', '/v1/users/u1')).status, 404, 'back, and the create was not applied');
    const control = (method: string, query = '') => fetch(`${px.url}/_peer/outage${query}`, { method });
    assert.equal((await control('POST', '?kind=reset')).status, 200);
    await assert.rejects(call('GET', '/v1/users'));
    assert.deepEqual(await (await control('GET')).json(), { down: true, outages: 2, refused: 3 });
    await control('DELETE');
    assert.equal((await call('GET', '/v1/users')).status, 200);
    const stats = (await (await fetch(`${px.url}/_peer/stats`)).json()) as Record<string, unknown>;
    assert.deepEqual(stats.outage, { down: false, outages: 2, refused: 3 });
  });

  it('lists: pages over a scroll, a short last page, totalHits, filters, sort, an expiring scroll', async () => {
    const { px, call, at } = await start({ scrollTtlSec: 30 });
    const users = Array.from({ length: 7 }, (_, i) =>
      user(`u${i}`, {
        score: i,
        email: `U${i}@Example.com`,
        customAttributes: { plan: i % 2 ? 'Gold' : 'free' },
      }),
    );
    await fetch(`${px.url}/_peer/seed`, { method: 'POST', body: JSON.stringify({ users }) });
    const ids = (r: { json: { users: Array<{ identifyId: string }> } }) =>
      r.json.users.map((u) => u.identifyId);
    const first = await call('GET', '/v1/users?pageSize=3');
    assert.deepEqual(ids(first), ['u0', 'u1', 'u2']);
    assert.equal(first.json.totalHits, 7);
    const next = (scrollId: string) => call('GET', `/v1/users?pageSize=3&scrollId=${enc(scrollId)}`);
    assert.deepEqual(ids(await next(first.json.scrollId)), ['u3', 'u4', 'u5']);
    const last = await next(first.json.scrollId);
    assert.deepEqual(ids(last), ['u6']);
    assert.equal(typeof last.json.scrollId, 'string', 'never null');
    for (const size of ['0', '1001', 'x'])
      assert.equal((await call('GET', `/v1/users?pageSize=${size}`)).status, 400);
    assert.equal((await call('GET', '/v1/users')).json.users.length, 7, 'default 25');

    const find = async (...filters: string[]) =>
      ids(
        await call('GET', `/v1/users?pageSize=100${filters.map((f) => `&filter=${enc(f)}`).join('')}`),
      ).sort();
    assert.deepEqual(await find('customAttributes.plan==GOLD'), ['u1', 'u3', 'u5']);
    assert.deepEqual(await find('email~u?@example.*;score>=3'), ['u3', 'u4', 'u5', 'u6']);
    assert.deepEqual(await find('score<1', 'score==6'), ['u0', 'u6']);
    assert.deepEqual(await find('customAttributes.plan!=gold;score!=0'), ['u2', 'u4', 'u6']);
    assert.equal((await call('GET', `/v1/users?filter=${enc('score')}`)).status, 400);
    const sorted = await call('GET', `/v1/users?sort=${enc('-customAttributes.plan;-score')}`);
    assert.deepEqual(ids(sorted), ['u5', 'u3', 'u1', 'u6', 'u4', 'u2', 'u0']);

    at(1_000);
    const open = await call('GET', '/v1/users?pageSize=2');
    at(31_001);
    assert.equal((await next(open.json.scrollId)).status, 400, 'unused for 30 s: gone');
    assert.equal((await next('nonsense')).status, 400);
  });

  it('deletes: odd ids by path and by body, 404 body, soft revives with its history, hard never, cascade', async () => {
    const { px, call, at } = await start();
    const odd = ['a/b?c#d é', '名前', 'x?hardDelete=true', 'delete'];
    for (const id of [...odd, 'keep']) assert.equal((await call('POST', '/v1/users', user(id))).status, 201);
    for (const [i, id] of odd.entries()) {
      const reply =
        i % 2 === 0 && id !== 'delete'
          ? await call('DELETE', `/v1/users/${enc(id)}`)
          : await call('DELETE', '/v1/users/delete', { identifyId: id });
      assert.equal(reply.status, 200, id);
      assert.equal((await call('GET', `/v1/users/${enc(id)}`)).status, 404, id);
    }
    assert.equal((await call('GET', '/v1/users/keep')).status, 200);
    const absent = await call('DELETE', `/v1/users/${enc('no/one')}`);
    assert.equal(absent.status, 404);
    assert.equal(absent.json.externalapierror.message, 'User was not found for parameters {id=no/one}');

    await call('POST', '/v1/users', user('soft', { firstName: 'Old' }));
    await call('POST', '/v1/users', user('hard', { firstName: 'Old' }));
    await call('POST', '/v1/users', user('upd', { firstName: 'Old' }));
    for (const id of ['soft', 'upd']) await call('DELETE', `/v1/users/${id}`);
    await call('DELETE', '/v1/users/hard?hardDelete=true');
    assert.equal((await call('GET', '/v1/users?pageSize=100')).json.totalHits, 1, 'only keep is listed');
    at(7 * 86_400_000 - 1);
    assert.equal(
      (await call('POST', '/v1/users', user('soft'))).json.firstName,
      'Old',
      'revived by a create',
    );
    assert.equal((await call('PUT', '/v1/users/upd', { lastName: 'New' })).status, 204, 'and by an update');
    assert.equal((await call('GET', '/v1/users/upd')).json.firstName, 'Old');
    assert.equal((await call('POST', '/v1/users', user('hard'))).json.firstName, undefined, 'hard: fresh');

    await call('POST', '/v1/accounts', { id: 'acc/1', name: 'A', propertyKeys: ['AP-PEER-1'] });
    await call('POST', '/v1/users', user('member', { accountId: 'acc/1' }));
    assert.equal((await call('DELETE', `/v1/accounts/${enc('acc/1')}`)).status, 200);
    assert.equal((await call('GET', '/v1/users/member')).status, 404, 'the account took its user');
    assert.equal((await call('DELETE', `/v1/accounts/${enc('acc/1')}`)).status, 404);
    const stats = (await (await fetch(`${px.url}/_peer/stats`)).json()) as Record<string, unknown>;
    assert.deepEqual(stats.deletes, { users: 8, accounts: 1, usersByAccount: 1, revived: 2 });
  });
});
