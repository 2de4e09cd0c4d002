import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { client } from './client.js';

describe('rate limit and daily quota', () => {
  const started: EmulatorHandle[] = [];
  const start = async (options: Parameters<typeof startEmulator>[0]) => {
    const px = await startEmulator(options);
    started.push(px);
    return px;
  };
  after(() => Promise.all(started.map((px) => px.close())));

  it('lets a burst through, then answers 429 with Retry-After in whole seconds', async () => {
    // A refill of one token per 100 s: nothing refills during the test, whatever the machine speed.
    const px = await start({ rateLimit: { perSecond: 0.01, burst: 5 } });
    const call = client(px);
    for (let i = 0; i < 5; i++) assert.equal((await call('GET', '/v1/users')).status, 200);
    const refused = await call('GET', '/v1/users');
    assert.equal(refused.status, 429);
    assert.equal(refused.json.externalapierror.status, 'TOO_MANY_REQUESTS');
    assert.equal(refused.json.externalapierror.message, 'Rate limit exceeded');
    const retryAfter = refused.headers.get('retry-after') ?? '';
    assert.match(retryAfter, /^\d+$/);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 100, retryAfter);
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

  it('the daily quota answers 429 "Daily quota exceeded" until UTC midnight', async () => {
    const px = await start({ rateLimit: false, dailyQuota: 3 });
    const call = client(px);
    for (let i = 0; i < 3; i++) assert.equal((await call('GET', '/v1/users')).status, 200);
    const refused = await call('GET', '/v1/users');
    assert.equal(refused.status, 429);
    assert.match(refused.json.externalapierror.message, /daily quota exceeded/i);
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(
      retryAfter >= 1 && retryAfter <= Math.ceil((midnight - now.getTime()) / 1000) + 1,
      String(retryAfter),
    );
    assert.equal(px.stats().rateLimited, 1);
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
