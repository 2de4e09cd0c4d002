import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { type Call, client, user } from './client.js';

describe('list / search: paging, filters, sort', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({ rateLimit: false });
    call = client(px);
    const users = Array.from({ length: 53 }, (_, i) =>
      user(`u${String(i).padStart(2, '0')}`, {
        email: `u${i}@x.y`,
        accountId: i % 2 === 0 ? 'even' : 'odd',
        score: 100 - i,
        location: { city: i < 10 ? 'Paris' : 'Lyon' },
      }),
    );
    const seeded = await fetch(`${px.url}/__emulator/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ users }),
    });
    assert.equal(seeded.status, 200);
  });
  after(() => px.close());

  async function all(query: string, pageSize: number) {
    const pages: number[] = [];
    const ids: string[] = [];
    let reply = await call('GET', `/v1/users?pageSize=${pageSize}${query}`);
    for (;;) {
      assert.equal(reply.status, 200);
      assert.equal(typeof reply.json.scrollId, 'string', 'scrollId never null');
      pages.push(reply.json.users.length);
      ids.push(...reply.json.users.map((u: { identifyId: string }) => u.identifyId));
      if (reply.json.users.length < pageSize) return { pages, ids, totalHits: reply.json.totalHits };
      reply = await call(
        'GET',
        `/v1/users?pageSize=${pageSize}&scrollId=${encodeURIComponent(reply.json.scrollId)}`,
      );
    }
  }

  it('pages through every user once; the last page still has a scrollId', async () => {
    const { pages, ids, totalHits } = await all('', 10);
    assert.deepEqual(pages, [10, 10, 10, 10, 10, 3]);
    assert.equal(new Set(ids).size, 53);
    assert.equal(totalHits, 53);
  });

  it('an exact multiple of pageSize ends with an empty page', async () => {
    const { pages } = await all('&filter=accountId==even', 9);
    assert.deepEqual(pages, [9, 9, 9, 0]);
  });

  it('the default page size is 25', async () => {
    assert.equal((await call('GET', '/v1/users')).json.users.length, 25);
  });

  it('pageSize outside 1..1000 answers 400', async () => {
    for (const size of ['0', '1001', 'ten', '-1', '2.5']) {
      assert.equal((await call('GET', `/v1/users?pageSize=${size}`)).status, 400, size);
    }
    assert.equal((await call('GET', '/v1/users?pageSize=1000')).status, 200);
  });

  it('filters with ==, != and ; for AND, dotted paths included', async () => {
    const byEmail = await call('GET', `/v1/users?filter=${encodeURIComponent('email==u7@x.y')}`);
    assert.deepEqual(
      byEmail.json.users.map((u: { identifyId: string }) => u.identifyId),
      ['u07'],
    );
    assert.equal(byEmail.json.totalHits, 1);
    const both = await call(
      'GET',
      `/v1/users?pageSize=100&filter=${encodeURIComponent('accountId==odd;location.city==Paris')}`,
    );
    assert.equal(both.json.totalHits, 5);
    const not = await call('GET', `/v1/users?pageSize=100&filter=${encodeURIComponent('accountId!=odd')}`);
    assert.equal(not.json.totalHits, 27);
    assert.equal((await call('GET', '/v1/users?filter=nonsense')).status, 400);
  });

  it('sorts ascending and descending', async () => {
    const asc = await call('GET', '/v1/users?pageSize=3&sort=score');
    assert.deepEqual(
      asc.json.users.map((u: { score: number }) => u.score),
      [48, 49, 50],
    );
    const desc = await call('GET', '/v1/users?pageSize=3&sort=-score');
    assert.deepEqual(
      desc.json.users.map((u: { score: number }) => u.score),
      [100, 99, 98],
    );
  });

  it('an unknown scrollId answers 400', async () => {
    assert.equal((await call('GET', '/v1/users?scrollId=bogus')).status, 400);
  });

  it('accounts list under "accounts"', async () => {
    await call('POST', '/v1/accounts', { id: 'a1', name: 'A', propertyKeys: ['AP-1'] });
    const reply = await call('GET', '/v1/accounts?pageSize=5');
    assert.equal(reply.json.accounts.length, 1);
    assert.equal(reply.json.totalHits, 1);
    assert.equal(typeof reply.json.scrollId, 'string');
  });
});
