import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { client } from './client.js';
import { manualClocks } from './clocks.js';

/** On clocks the test sets (standing still unless moved): nothing refills while a test runs. */
describe('rate limit and daily quota', () => {
  const started: EmulatorHandle[] = [];
  const start = async (options: Parameters<typeof startEmulator>[0]) => {
    const px = await startEmulator(options, manualClocks().clocks);
    started.push(px);
    return px;
  };
  after(() => Promise.all(started.map((px) => px.close())));

  it('lets a burst through, then answers 429 with Retry-After in whole seconds', async () => {
    // A refill of one token per 100 s: the next whole token is 100 s away.
    const px = await start({ rateLimit: { perSecond: 0.01, burst: 5 } });
    const call = client(px);
    for (let i = 0; i < 5; i++) assert.equal((await call('GET', '/v1/users')).status, 200);
    const refused = await call('GET', '/v1/users');
    assert.equal(refused.status, 429);
    assert.equal(refused.json.externalapierror.status, 'TOO_MANY_REQUESTS');
    assert.equal(refused.json.externalapierror.message, 'Rate limit exceeded');
    assert.equal(refused.headers.get('retry-after'), '100');
    const stats = px.stats();
    assert.equal(stats.rateLimited, 1);
    assert.equal(stats.byRoute['GET /v1/users']?.['429'], 1);
  });

  it('limits each key on its own bucket', async () => {
    const px = await start({ apiKeys: ['k1', 'k2'], rateLimit: { perSecond: 0.01, burst: 1 } });
    assert.equal((await client(px, 'k1')('GET', '/v1/users')).status, 200);
    assert.equal((await client(px, 'k1')('GET', '/v1/users')).status, 429);
    assert.equal((await client(px, 'k2')('GET', '/v1/users')).status, 200);
  });

  const limits: Array<[string, Parameters<typeof startEmulator>[0]]> = [
    ['rate limit', { rateLimit: { perSecond: 0.01, burst: 1 } }],
    ['daily quota', { rateLimit: false, dailyQuota: 1 }],
  ];
  for (const [name, options] of limits) {
    it(`sends no Retry-After on a ${name} 429 when the option is off, and one when on`, async () => {
      for (const retryAfter of [false, true]) {
        const px = await start({ ...options, retryAfter });
        const call = client(px);
        assert.equal((await call('GET', '/v1/users')).status, 200);
        const refused = await call('GET', '/v1/users');
        assert.equal(refused.status, 429);
        assert.equal(refused.headers.has('retry-after'), retryAfter);
      }
    });
  }

  it('with the quota body, the daily quota answers 429 "Daily quota exceeded" until UTC midnight', async () => {
    const { clocks, time } = manualClocks(Date.UTC(2024, 2, 5, 23, 58, 19, 500));
    const px = await startEmulator({ rateLimit: false, dailyQuota: 3, dailyQuotaBody: 'quota' }, clocks);
    started.push(px);
    const call = client(px);
    for (let i = 0; i < 3; i++) assert.equal((await call('GET', '/v1/users')).status, 200);
    const refused = await call('GET', '/v1/users');
    assert.equal(refused.status, 429);
    assert.match(refused.json.externalapierror.message, /daily quota exceeded/i);
    assert.equal(refused.headers.get('retry-after'), '101', '100.5 s to midnight, rounded up');
    assert.equal(px.stats().rateLimited, 1);
    time.wall = Date.UTC(2024, 2, 5, 23, 59, 59, 999);
    assert.equal((await call('GET', '/v1/users')).status, 429);
    time.wall = Date.UTC(2024, 2, 6);
    assert.equal((await call('GET', '/v1/users')).status, 200, 'a new UTC day, a new quota');
  });

  it('checks the key before the limits: a bad key gets 401 and uses no token', async () => {
    const px = await start({ rateLimit: { perSecond: 0.01, burst: 1 } });
    assert.equal((await client(px, 'bad')('GET', '/v1/users')).status, 401);
    assert.equal((await client(px)('GET', '/v1/users')).status, 200);
  });

  it('configure() changes the limit while running', async () => {
    const px = await start({ rateLimit: false });
    const call = client(px);
    for (let i = 0; i < 3; i++) assert.equal((await call('GET', '/v1/users')).status, 200);
    px.configure({ rateLimit: { perSecond: 0.01, burst: 1 } });
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.equal((await call('GET', '/v1/users')).status, 429);
  });

  it('the control plane is never limited', async () => {
    const px = await start({ rateLimit: { perSecond: 0.01, burst: 1 }, dailyQuota: 1 });
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${px.url}/__emulator/stats`)).status, 200);
    assert.equal(px.stats().requests, 0);
  });
});
