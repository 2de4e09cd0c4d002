/**
 * The three limiter shapes with injected clocks (exact window arithmetic, the wait each one
 * reports, refused requests not counting), the budget a throttle gives back, and each shape
 * over real sockets, on clocks the test sets.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, type RateLimitOptions, startEmulator } from '@pxstream/emulator';
import { FixedWindow } from '../src/fixed-window.js';
import { Limiter } from '../src/rate-limit.js';
import { createRateShape } from '../src/rate-shape.js';
import { SlidingWindow } from '../src/sliding-window.js';
import { TokenBucket } from '../src/token-bucket.js';
import { client } from './client.js';
import { manualClocks } from './clocks.js';

/** A limiter on injected clocks; `at(ms)` moves both (the wall clock starts on a second boundary). */
function clocked(rate: RateLimitOptions | false, quota: number | false = false) {
  const clock = { mono: 0, wall: 1_700_000_000_000 };
  const limiter = new Limiter(
    rate,
    quota,
    () => clock.mono,
    () => clock.wall,
  );
  const at = (ms: number) => {
    clock.wall += ms - clock.mono;
    clock.mono = ms;
  };
  const run = (n: number, key = 'k') =>
    Array.from({ length: n }, () => limiter.check(key).ok).filter(Boolean).length;
  return { clock, limiter, at, run };
}

/** The most admissions in any window (t - 1000, t]. */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j]! <= times[i]! - 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('the shape is chosen by rateLimit.shape, bucket by default', () => {
  /** [shape option, class] */
  const table: Array<[RateLimitOptions, unknown]> = [
    [{ perSecond: 5 }, TokenBucket],
    [{ perSecond: 5, shape: 'bucket' }, TokenBucket],
    [{ perSecond: 5, shape: 'sliding' }, SlidingWindow],
    [{ perSecond: 5, shape: 'fixed' }, FixedWindow],
  ];
  for (const [rate, type] of table) {
    it(`${rate.shape ?? '(none)'} -> ${(type as { name: string }).name}`, () => {
      assert.ok(createRateShape(rate) instanceof (type as typeof TokenBucket));
    });
  }
});

describe('sliding window: at most perSecond admitted in any 1000 ms', () => {
  it('admits perSecond at once, then nothing until the first admitted one is 1000 ms old', () => {
    const { at, run } = clocked({ perSecond: 3, shape: 'sliding' });
    assert.equal(run(5), 3);
    at(999);
    assert.equal(run(1), 0);
    at(1000);
    assert.equal(run(5), 3);
  });

  it('is strict across a calendar second: 3 at 900 ms block 1100 ms, unlike a fixed window', () => {
    const sliding = clocked({ perSecond: 3, shape: 'sliding' });
    sliding.at(900);
    assert.equal(sliding.run(3), 3);
    sliding.at(1100);
    assert.equal(sliding.run(3), 0);
    sliding.at(1900);
    assert.equal(sliding.run(3), 3);
    const fixed = clocked({ perSecond: 3, shape: 'fixed' });
    fixed.at(900);
    assert.equal(fixed.run(3), 3);
    fixed.at(1100);
    assert.equal(fixed.run(3), 3, 'a new calendar second: 6 within 200 ms');
  });

  it('refused requests do not count against the window', () => {
    const { at, run } = clocked({ perSecond: 2, shape: 'sliding' });
    assert.equal(run(2), 2);
    at(500);
    assert.equal(run(100), 0);
    at(1000);
    assert.equal(run(3), 2, 'the 100 refused at 500 ms would block until 1500 ms if they counted');
  });

  it('sustains exactly perSecond over 10 s of 1,000 requests/s, never more in any window', () => {
    const { at, limiter } = clocked({ perSecond: 200, shape: 'sliding' });
    const admitted: number[] = [];
    for (let ms = 0; ms < 10_000; ms++) {
      at(ms);
      if (limiter.check('k').ok) admitted.push(ms);
    }
    assert.equal(admitted.length, 2000);
    assert.equal(busiestSecond(admitted), 200);
  });

  it('the wait is until the oldest admitted request leaves the window; Retry-After rounds it up', () => {
    const window = new SlidingWindow(2);
    assert.equal(window.admit(0), 0);
    assert.equal(window.admit(100), 0);
    assert.equal(window.admit(250), 0.75);
    assert.equal(window.admit(999), 0.001);
    const { at, limiter, run } = clocked({ perSecond: 2, shape: 'sliding' });
    run(2);
    at(250);
    assert.deepEqual(limiter.check('k'), { ok: false, message: 'Rate limit exceeded', retryAfter: 1 });
  });

  it('holds more admissions than its initial ring (5,000 at once)', () => {
    const { run } = clocked({ perSecond: 5000, shape: 'sliding' });
    assert.equal(run(6000), 5000);
  });
});

describe('fixed window: at most perSecond per wall-clock second', () => {
  it('counts per calendar second of the wall clock, whatever the monotonic clock says', () => {
    const { clock, limiter, run } = clocked({ perSecond: 3, shape: 'fixed' });
    clock.wall = 5_000_999;
    assert.equal(run(5), 3);
    clock.wall = 5_001_000; // one ms later, a new second; the monotonic clock did not move
    assert.equal(run(5), 3);
    assert.deepEqual(limiter.check('k'), { ok: false, message: 'Rate limit exceeded', retryAfter: 1 });
  });

  it('the wait is until the next second boundary', () => {
    const window = new FixedWindow(1);
    assert.equal(window.admit(0, 7_250), 0);
    assert.equal(window.admit(0, 7_250), 0.75);
    assert.equal(window.admit(0, 7_999), 0.001);
    assert.equal(window.admit(0, 8_000), 0);
  });

  it('refused requests do not count, and each key has its own window', () => {
    const { run } = clocked({ perSecond: 2, shape: 'fixed' });
    assert.equal(run(50, 'a'), 2);
    assert.equal(run(50, 'b'), 2);
  });
});

describe('the daily quota is the same whatever the shape', () => {
  for (const shape of ['bucket', 'sliding', 'fixed'] as const) {
    it(`${shape}: the quota refuses first, and a rate-refused request uses no quota`, () => {
      const { at, limiter, run } = clocked({ perSecond: 1, shape }, 2);
      assert.equal(run(5), 1);
      at(1000);
      assert.equal(run(1), 1);
      at(2000);
      const refused = limiter.check('k');
      assert.equal(refused.quota, true, 'the quota refused it');
      assert.equal(refused.message, 'Rate limit exceeded', "PX's plain body by default");
    });
  }
});

describe('release gives an admission back (a throttled request uses no budget)', () => {
  for (const shape of ['bucket', 'sliding', 'fixed'] as const) {
    it(`${shape}: an admission released is admitted again at once`, () => {
      const { limiter, run } = clocked({ perSecond: 2, shape });
      limiter.release(limiter.check('k').admission!);
      assert.equal(run(5), 2, 'without the release: 1');
    });
  }

  it('the daily quota is given back too', () => {
    const { limiter, run } = clocked(false, 2);
    limiter.release(limiter.check('k').admission!);
    assert.equal(run(5), 2, 'without the release: 1');
  });

  it('an admission from before a rate change or a reset is not released into the new state', () => {
    const { limiter, run } = clocked({ perSecond: 2, shape: 'fixed' });
    const old = limiter.check('k');
    limiter.setRate({ perSecond: 2, shape: 'fixed' });
    assert.equal(run(2), 2);
    limiter.release(old.admission!);
    assert.equal(run(1), 0);
  });
});

describe('refused options', () => {
  const bad: Array<[string, RateLimitOptions]> = [
    ['an unknown shape', { perSecond: 5, shape: 'cone' as 'bucket' }],
    ['a fractional perSecond for a sliding window', { perSecond: 2.5, shape: 'sliding' }],
    ['a fractional perSecond for a fixed window', { perSecond: 0.5, shape: 'fixed' }],
    ['a burst for a sliding window', { perSecond: 5, burst: 5, shape: 'sliding' }],
  ];
  for (const [name, rateLimit] of bad) {
    it(`${name}: EMULATOR_INVALID_OPTION`, async () => {
      await assert.rejects(startEmulator({ rateLimit }), { code: 'EMULATOR_INVALID_OPTION' });
    });
  }
});

describe('each shape over sockets (clocks set by the test)', () => {
  const started: EmulatorHandle[] = [];
  after(() => Promise.all(started.map((px) => px.close())));

  it('sliding: 2 per second, then 429 "Rate limit exceeded" with Retry-After 1, until the first is 1000 ms old', async () => {
    const { clocks, at } = manualClocks();
    const px = await startEmulator({ rateLimit: { perSecond: 2, shape: 'sliding' } }, clocks);
    started.push(px);
    const call = client(px);
    const statuses = [];
    const retryAfters = [];
    for (let i = 0; i < 4; i++) {
      const reply = await call('GET', '/v1/users');
      statuses.push(reply.status);
      if (reply.status === 429) {
        assert.equal(reply.json.externalapierror.message, 'Rate limit exceeded');
        retryAfters.push(reply.headers.get('retry-after'));
      }
    }
    assert.deepEqual(statuses, [200, 200, 429, 429]);
    assert.deepEqual(retryAfters, ['1', '1']);
    at(999);
    assert.equal((await call('GET', '/v1/users')).status, 429);
    at(1000);
    assert.deepEqual(
      await Promise.all([call('GET', '/v1/users'), call('GET', '/v1/users'), call('GET', '/v1/users')]).then(
        (replies) => replies.map((r) => r.status).sort(),
      ),
      [200, 200, 429],
    );
  });

  it('fixed: never more than perSecond in one calendar second, every 429 says Retry-After 1', async () => {
    const { clocks, at } = manualClocks();
    const px = await startEmulator({ rateLimit: { perSecond: 3, shape: 'fixed' } }, clocks);
    started.push(px);
    const call = client(px);
    const burst = () => Promise.all(Array.from({ length: 20 }, () => call('GET', '/v1/users')));
    // 20 at once within one calendar second (the wall clock stands at .999 of it): 3 admitted.
    at(999);
    const replies = await burst();
    assert.equal(replies.filter((r) => r.status === 200).length, 3);
    for (const r of replies.filter((reply) => reply.status === 429))
      assert.equal(r.headers.get('retry-after'), '1');
    assert.equal(px.stats().rateLimited, 17);
    // One millisecond later, the next calendar second: 3 more.
    at(1000);
    assert.equal((await burst()).filter((r) => r.status === 200).length, 3);
    assert.equal(px.stats().rateLimited, 34);
  });

  it('PATCH /__emulator/config switches the shape; a bad shape is a 400 that changes nothing', async () => {
    const { clocks } = manualClocks();
    const px = await startEmulator({ rateLimit: false }, clocks);
    started.push(px);
    const patch = (body: unknown) =>
      fetch(`${px.url}/__emulator/config`, { method: 'PATCH', body: JSON.stringify(body) });
    assert.equal((await patch({ rateLimit: { perSecond: 1, shape: 'oval' } })).status, 400);
    assert.equal((await patch({ rateLimit: { perSecond: 1, shape: 'sliding', burst: 3 } })).status, 400);
    const call = client(px);
    for (let i = 0; i < 3; i++) assert.equal((await call('GET', '/v1/users')).status, 200, 'still unlimited');
    assert.equal((await patch({ rateLimit: { perSecond: 1, shape: 'sliding' } })).status, 204);
    // The clock stands still: the second request is within the same second as the first.
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.equal((await call('GET', '/v1/users')).status, 429);
  });
});
