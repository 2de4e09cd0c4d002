/**
 * Lists as px-api.md "Reading records back" describes them: every filter operator, wildcards,
 * AND / OR, nested fields, case, sort on several fields, and scrolls that expire (clocks set
 * by the test).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { type Call, client, user } from './client.js';
import { manualClocks } from './clocks.js';

const ids = (reply: { json: { users: Array<{ identifyId: string }> } }) =>
  reply.json.users.map((u) => u.identifyId);

describe('lists: filters and sort', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({
      rateLimit: false,
      customAttributes: { user: [{ apiName: 'plan', type: 'STRING' }] },
    });
    call = client(px);
    const seed = [
      user('ann', {
        email: 'Ann@Example.com',
        score: 10,
        customAttributes: { plan: 'Gold' },
        location: { city: 'Boston' },
      }),
      user('bob', {
        email: 'bob@example.org',
        score: 20,
        customAttributes: { plan: 'free' },
        location: { city: 'Paris' },
      }),
      user('cy', { email: 'cy@example.com', score: 5, customAttributes: { plan: 'gold' } }),
      user('dee', { email: 'dee@other.net', score: 20, propertyKeys: ['AP-A-1', 'AP-B-2'] }),
      user('eve', { score: 15, signUpDate: 1_700_000_000_000 }),
    ];
    for (const record of seed) assert.equal((await call('POST', '/v1/users', record)).status, 201);
  });
  after(() => px.close());

  const find = (...filters: string[]) =>
    call('GET', `/v1/users?pageSize=100${filters.map((f) => `&filter=${encodeURIComponent(f)}`).join('')}`);

  const cases: Array<[string, string[], string[]]> = [
    ['== ignores case', ['email==ann@example.COM'], ['ann']],
    ['== on a nested custom attribute, any case', ['customAttributes.plan==GOLD'], ['ann', 'cy']],
    ['== on location', ['location.city==boston'], ['ann']],
    ['!= keeps records lacking the field', ['customAttributes.plan!=gold'], ['bob', 'dee', 'eve']],
    ['== on a number by value', ['score==20.0'], ['bob', 'dee']],
    ['< and >= on numbers', ['score<15'], ['ann', 'cy']],
    ['>= and <=', ['score>=15;score<=20'], ['bob', 'dee', 'eve']],
    ['> on a date (epoch ms)', ['signUpDate>1699999999999'], ['eve']],
    ['~ with *', ['email~*@example.com'], ['ann', 'cy']],
    ['~ with ?', ['email~??@example.com'], ['cy']],
    ['~ matches the whole value', ['email~example'], []],
    ['~ treats regex characters literally', ['email~*.org'], ['bob']],
    ['!~', ['email!~*example*'], ['dee', 'eve']],
    ['; is AND', ['score==20;email~*.org'], ['bob']],
    ['repeated filters are ORed', ['score==5', 'location.city==paris'], ['bob', 'cy']],
    ['OR of ANDs', ['score==20;email~*other*', 'customAttributes.plan==free'], ['bob', 'dee']],
    ['an array field matches on any element', ['propertyKeys==ap-b-2'], ['dee']],
    ['an unknown field matches nothing', ['nothing==x'], []],
  ];
  for (const [name, filters, expected] of cases) {
    it(`${name}: ${filters.join(' | ')}`, async () => {
      const reply = await find(...filters);
      assert.equal(reply.status, 200);
      assert.deepEqual(ids(reply).sort(), expected);
      assert.equal(reply.json.totalHits, expected.length);
    });
  }

  it('a filter without an operator, or without a field, answers 400', async () => {
    for (const bad of ['email', 'email=ann', '==x', 'a..b==x', 'score=<5']) {
      const reply = await find(bad);
      assert.equal(reply.status, 400, bad);
      assert.match(reply.json.externalapierror.message, /Invalid filter/);
    }
  });

  it('sorts by one field either way, then by several; records lacking the field come last', async () => {
    assert.deepEqual(ids(await call('GET', '/v1/users?sort=score')), ['cy', 'ann', 'eve', 'bob', 'dee']);
    assert.deepEqual(ids(await call('GET', '/v1/users?sort=-score')), ['bob', 'dee', 'eve', 'ann', 'cy']);
    assert.deepEqual(ids(await call('GET', `/v1/users?sort=${encodeURIComponent('-score;-identifyId')}`)), [
      'dee',
      'bob',
      'eve',
      'ann',
      'cy',
    ]);
    assert.deepEqual(ids(await call('GET', '/v1/users?sort=-customAttributes.plan')), [
      'ann',
      'cy',
      'bob',
      'dee',
      'eve',
    ]);
    assert.equal((await call('GET', '/v1/users?sort=-')).status, 400);
  });

  it('soft-deleted users are not listed', async () => {
    assert.equal((await call('DELETE', '/v1/users/eve')).status, 204);
    const reply = await call('GET', '/v1/users?pageSize=100');
    assert.deepEqual(ids(reply).sort(), ['ann', 'bob', 'cy', 'dee']);
    assert.equal((await call('POST', '/v1/users', user('eve'))).status, 201);
  });
});

describe('lists: scrolls', () => {
  let px: EmulatorHandle;
  let call: Call;
  const manual = manualClocks();
  before(async () => {
    px = await startEmulator({ rateLimit: false, scrollTtlSec: 30 }, manual.clocks);
    call = client(px);
    const users = Array.from({ length: 7 }, (_, i) => user(`u${i}`));
    const seeded = await fetch(`${px.url}/__emulator/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ users }),
    });
    assert.equal(seeded.status, 200);
  });
  after(() => px.close());
  const next = (scrollId: string, extra = '') =>
    call('GET', `/v1/users?scrollId=${encodeURIComponent(scrollId)}${extra}`);

  it("a follow-up page keeps the first page's pageSize, and may set its own", async () => {
    const first = await call('GET', '/v1/users?pageSize=3');
    assert.deepEqual(ids(first), ['u0', 'u1', 'u2']);
    const second = await next(first.json.scrollId);
    assert.deepEqual(ids(second), ['u3', 'u4', 'u5']);
    const last = await next(second.json.scrollId, '&pageSize=2');
    assert.deepEqual(ids(last), ['u6'], 'a short last page');
    assert.equal(typeof last.json.scrollId, 'string');
    assert.equal(last.json.totalHits, 7);
    assert.deepEqual(ids(await next(second.json.scrollId)), ['u6'], 'a page asked twice is the same page');
  });

  it('a scroll expires ttl seconds after its last page was read: 400, as an unknown one', async () => {
    manual.at(0);
    const first = await call('GET', '/v1/users?pageSize=2');
    manual.at(29_999);
    const second = await next(first.json.scrollId);
    assert.equal(second.status, 200, 'used within the ttl');
    manual.at(59_998);
    assert.equal((await next(second.json.scrollId)).status, 200, 'each page renews it');
    manual.at(89_998);
    const expired = await next(second.json.scrollId);
    assert.equal(expired.status, 400);
    assert.match(expired.json.externalapierror.message, /Invalid or expired scrollId/);
    assert.equal((await next(first.json.scrollId)).status, 400, 'the whole scroll is gone');
    assert.equal((await next('bogus')).status, 400);
    const again = await call('GET', '/v1/users?pageSize=2');
    assert.deepEqual(ids(again), ['u0', 'u1'], 'a new scroll starts from the first record');
  });

  it('configure({ scrollTtlSec }) changes the ttl of open scrolls', async () => {
    manual.at(100_000);
    const first = await call('GET', '/v1/users?pageSize=2');
    px.configure({ scrollTtlSec: 1 });
    manual.at(101_000);
    assert.equal((await next(first.json.scrollId)).status, 400);
    px.configure({ scrollTtlSec: 30 });
  });
});
