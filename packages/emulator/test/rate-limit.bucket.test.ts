/**
 * The token bucket and the daily quota with injected clocks (exact refill arithmetic, UTC
 * day roll-over), PX's defaults, and a refill over real sockets on clocks the test sets.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { resolveOptions } from '../src/config.js';
import { Limiter, type QuotaOptions } from '../src/rate-limit.js';
import { client } from './client.js';
import { manualClocks } from './clocks.js';

const DAY = 86_400_000;

function clocked(
  rate: ConstructorParameters<typeof Limiter>[0],
  quota: number | false,
  wallStart = 0,
  quotaOptions: QuotaOptions = {},
) {
  const clock = { mono: 0, wall: wallStart };
  const limiter = new Limiter(
    rate,
    quota,
    () => clock.mono,
    () => clock.wall,
    quotaOptions,
  );
  const run = (n: number, key = 'k') => Array.from({ length: n }, () => limiter.check(key).ok);
  return { clock, limiter, run };
}

const count = (oks: boolean[]) => oks.filter(Boolean).length;

describe('token bucket', () => {
  /** [case, perSecond, burst, expected requests let through at one instant] */
  const bursts: Array<[string, number, number | undefined, number]> = [
    ['burst defaults to perSecond', 200, undefined, 200],
    ['a configured burst larger than the rate', 200, 500, 500],
    ['a configured burst smaller than the rate', 200, 10, 10],
    ['a burst of one', 5, 1, 1],
  ];
  for (const [name, perSecond, burst, expected] of bursts) {
    it(`${name}: ${expected} at once, then refused`, () => {
      const { run } = clocked(burst === undefined ? { perSecond } : { perSecond, burst }, false);
      assert.equal(count(run(expected + 50)), expected);
    });
  }

  it('refills at perSecond, never above the burst', () => {
    const { clock, run } = clocked({ perSecond: 200, burst: 200 }, false);
    assert.equal(count(run(200)), 200);
    clock.mono += 50; // 50 ms at 200/s: 10 tokens
    assert.equal(count(run(20)), 10);
    clock.mono += 4; // 0.8 token: not enough for a request
    assert.equal(count(run(1)), 0);
    clock.mono += 1; // 1.0 token
    assert.equal(count(run(2)), 1);
    clock.mono += 60_000; // a long pause refills to the burst only
    assert.equal(count(run(300)), 200);
  });

  it('sustains perSecond over time: 10 s at 200/s lets about 2,000 + burst through', () => {
    const { clock, run } = clocked({ perSecond: 200, burst: 200 }, false);
    let ok = 0;
    for (let ms = 0; ms < 10_000; ms++) {
      clock.mono = ms;
      ok += count(run(1)); // 1,000 requests/s offered
    }
    assert.ok(ok >= 2195 && ok <= 2201, String(ok));
  });

  it('Retry-After is the whole seconds until a token is back, at least 1', () => {
    const slow = clocked({ perSecond: 0.1, burst: 1 }, false);
    slow.run(1);
    assert.deepEqual(slow.limiter.check('k'), { ok: false, message: 'Rate limit exceeded', retryAfter: 10 });
    slow.clock.mono += 2500;
    assert.equal(slow.limiter.check('k').retryAfter, 8);
    const fast = clocked({ perSecond: 200, burst: 1 }, false);
    fast.run(1);
    assert.equal(fast.limiter.check('k').retryAfter, 1);
  });

  it('keeps one bucket per key', () => {
    const { run } = clocked({ perSecond: 1, burst: 2 }, false);
    assert.equal(count(run(5, 'a')), 2);
    assert.equal(count(run(5, 'b')), 2);
  });
});

describe('daily quota', () => {
  it('refuses past the quota until the next UTC day, with Retry-After until midnight (quota body)', () => {
    const { clock, limiter, run } = clocked(false, 3, 5 * DAY + 3_600_000, { body: 'quota' });
    assert.equal(count(run(5)), 3);
    assert.deepEqual(limiter.check('k'), {
      ok: false,
      message: 'Daily quota exceeded',
      retryAfter: 23 * 3600,
      quota: true,
    });
    clock.wall = 6 * DAY - 1;
    assert.equal(count(run(1)), 0);
    clock.wall = 6 * DAY;
    assert.equal(count(run(5)), 3, 'a new UTC day, a new quota');
  });

  it('counts per key, and a request the bucket refuses uses no quota', () => {
    const { clock, run } = clocked({ perSecond: 1, burst: 1 }, 2);
    assert.equal(count(run(10, 'a')), 1);
    clock.mono += 1000;
    assert.equal(count(run(1, 'a')), 1);
    clock.mono += 1000;
    assert.equal(count(run(1, 'a')), 0, 'quota of 2 used');
    assert.equal(count(run(1, 'b')), 1);
  });
});

describe("PX's limits are the defaults", () => {
  it('200 requests/s with a burst of 200, 1,000,000 a day, Retry-After on, no latency or faults', () => {
    const config = resolveOptions();
    assert.deepEqual(config.rateLimit, { perSecond: 200, burst: 200 });
    assert.equal(config.dailyQuota, 1_000_000);
    assert.equal(config.retryAfter, true);
    assert.equal(config.latency, undefined);
    assert.deepEqual(config.faults, {});
    assert.equal(config.port, 0);
    assert.equal(config.host, '127.0.0.1');
  });
});

describe('refill over sockets (clocks set by the test)', () => {
  let px: EmulatorHandle | undefined;
  after(() => px?.close());

  it('a refused client that waits Retry-After seconds gets through, not a millisecond sooner', async () => {
    const { clocks, at } = manualClocks();
    px = await startEmulator({ rateLimit: { perSecond: 1, burst: 1 } }, clocks);
    const call = client(px);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    const refused = await call('GET', '/v1/users');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    const retryAfterMs = 1000 * Number(refused.headers.get('retry-after'));
    at(retryAfterMs - 1);
    assert.equal((await call('GET', '/v1/users')).status, 429);
    at(retryAfterMs);
    assert.equal((await call('GET', '/v1/users')).status, 200);
  });
});
