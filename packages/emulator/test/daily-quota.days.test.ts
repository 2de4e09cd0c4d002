/**
 * The daily quota's answer (PX's plain 429 by default), compressed days (`dayLengthSec`), and
 * which requests use quota. On clocks the test sets: nothing moves unless the test moves it.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@pxstream/emulator';
import { client } from './client.js';
import { manualClocks, WALL_START } from './clocks.js';

describe('daily quota: plain body, compressed days, refused requests use none', () => {
  const started: EmulatorHandle[] = [];
  const start = async (options: EmulatorOptions, wallStart = WALL_START) => {
    const manual = manualClocks(wallStart);
    const px = await startEmulator(options, manual.clocks);
    started.push(px);
    return { px, call: client(px), ...manual };
  };
  after(() => Promise.all(started.map((px) => px.close())));

  it("a spent quota answers exactly the per-second limit's 429 by default", async () => {
    const quota = await start({ rateLimit: false, dailyQuota: 2 });
    const perSecond = await start({ rateLimit: { perSecond: 1, burst: 1 } });
    for (let i = 0; i < 2; i++) assert.equal((await quota.call('GET', '/v1/users')).status, 200);
    assert.equal((await perSecond.call('GET', '/v1/users')).status, 200);
    const spent = await quota.call('GET', '/v1/users');
    const limited = await perSecond.call('GET', '/v1/users');
    assert.equal(spent.status, 429);
    assert.equal(spent.text, limited.text, 'the same body: "Rate limit exceeded"');
    assert.equal(spent.json.externalapierror.message, 'Rate limit exceeded');
    assert.equal(spent.headers.get('retry-after'), '1');
    assert.equal(spent.headers.get('retry-after'), limited.headers.get('retry-after'));
    assert.equal(quota.px.stats().rateLimited, 1);
  });

  it('dailyQuotaBody quota answers "Daily quota exceeded" with the seconds left in the day', async () => {
    const { call, at } = await start({
      rateLimit: false,
      dailyQuota: 1,
      dailyQuotaBody: 'quota',
      dayLengthSec: 60,
    });
    assert.equal((await call('GET', '/v1/users')).status, 200);
    at(15_500);
    const spent = await call('GET', '/v1/users');
    assert.equal(spent.status, 429);
    assert.equal(spent.json.externalapierror.message, 'Daily quota exceeded');
    assert.equal(spent.headers.get('retry-after'), '45', '44.5 s left, rounded up');
  });

  it('compressed days follow each other from the start, not from wall-clock minutes', async () => {
    // The wall clock crosses a whole minute 1 s after the start: days must not turn there.
    const { call, at } = await start(
      { rateLimit: false, dailyQuota: 3, dayLengthSec: 60 },
      WALL_START + 59_000,
    );
    const burst = async (n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) statuses.push((await call('GET', '/v1/users')).status);
      return statuses;
    };
    assert.deepEqual(await burst(4), [200, 200, 200, 429]);
    at(1_000);
    assert.deepEqual(await burst(1), [429], 'a wall-clock minute turned: still day 0');
    at(59_999);
    assert.deepEqual(await burst(1), [429]);
    at(60_000);
    assert.deepEqual(await burst(4), [200, 200, 200, 429], 'day 1: a new quota');
    at(150_000);
    assert.deepEqual(await burst(4), [200, 200, 200, 429], 'day 2');
  });

  it('reset() starts day 0 again', async () => {
    const { px, call, at } = await start({ rateLimit: false, dailyQuota: 1, dayLengthSec: 60 });
    at(50_000);
    px.reset();
    assert.equal((await call('GET', '/v1/users')).status, 200);
    at(70_000);
    assert.equal((await call('GET', '/v1/users')).status, 429, 'day 0 runs from 50 s to 110 s');
    at(110_000);
    assert.equal((await call('GET', '/v1/users')).status, 200);
  });

  it('configure({ dayLengthSec }) turns calendar days into compressed ones from now, and back', async () => {
    const { px, call, at } = await start({ rateLimit: false, dailyQuota: 1 });
    assert.equal((await call('GET', '/v1/users')).status, 200);
    at(10_000);
    assert.equal((await call('GET', '/v1/users')).status, 429, 'a UTC day is long');
    px.configure({ dayLengthSec: 5 });
    assert.equal((await call('GET', '/v1/users')).status, 200, 'a fresh quota for day 0');
    at(14_999);
    assert.equal((await call('GET', '/v1/users')).status, 429);
    at(15_000);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    px.configure({ dayLengthSec: false });
    assert.equal((await call('GET', '/v1/users')).status, 200, 'calendar days again, a fresh quota');
    at(25_000);
    assert.equal((await call('GET', '/v1/users')).status, 429);
  });

  it('requests refused by the per-second limit, auth, a permission or an outage use no quota', async () => {
    const options: EmulatorOptions = {
      rateLimit: { perSecond: 1, burst: 1 },
      dailyQuota: 2,
      dailyQuotaBody: 'quota', // to tell the quota's 429 from the per-second one here
    };
    const { px, call, at } = await start(options);
    assert.equal((await call('GET', '/v1/users')).status, 200, 'quota 1 of 2');
    const limited = await call('GET', '/v1/users');
    assert.equal(limited.json.externalapierror.message, 'Rate limit exceeded');
    assert.equal((await client(px, 'bad-key')('GET', '/v1/users')).status, 401);
    px.configure({ forbid: 'read' });
    assert.equal((await call('GET', '/v1/users')).status, 403);
    px.configure({ forbid: false });
    px.startOutage();
    assert.equal((await call('GET', '/v1/users')).status, 503);
    px.endOutage();
    at(1_000);
    assert.equal((await call('GET', '/v1/users')).status, 200, 'quota 2 of 2: none of the refused used any');
    at(2_000);
    const spent = await call('GET', '/v1/users');
    assert.equal(spent.json.externalapierror.message, 'Daily quota exceeded');
    at(3_000);
    assert.equal(
      (await call('GET', '/v1/users')).status,
      429,
      'a refused request uses none, nor does the quota free up',
    );
  });

  it('PATCH /__emulator/config takes dailyQuotaBody and dayLengthSec, and refuses bad ones', async () => {
    const { px, call } = await start({ rateLimit: false, dailyQuota: 1 });
    const patch = (body: unknown) =>
      fetch(`${px.url}/__emulator/config`, { method: 'PATCH', body: JSON.stringify(body) });
    assert.equal((await patch({ dailyQuotaBody: 'quota', dayLengthSec: 30 })).status, 204);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.equal((await call('GET', '/v1/users')).json.externalapierror.message, 'Daily quota exceeded');
    assert.equal((await patch({ dailyQuotaBody: 'loud' })).status, 400);
    assert.equal((await patch({ dayLengthSec: 0 })).status, 400);
    await assert.rejects(startEmulator({ dayLengthSec: -5 }), { code: 'EMULATOR_INVALID_OPTION' });
  });
});
