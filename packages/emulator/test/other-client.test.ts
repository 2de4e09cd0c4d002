/**
 * The simulated other client of the same key (`otherClient`): virtual arrivals evenly spaced
 * on the monotonic clock, replayed lazily and judged one by one by the key's limiter (exact
 * with injected clocks), never counted as the real client's traffic, never using the daily
 * quota; then over sockets and through the control plane, on clocks the test sets.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@pxstream/emulator';
import { resolveOptions } from '../src/config.js';
import { EmulatorState } from '../src/state.js';
import { client } from './client.js';
import { manualClocks } from './clocks.js';

/** State on injected clocks: the monotonic clock starts at 0, the wall clock on a second boundary. */
function clocked(options: EmulatorOptions) {
  const clock = { mono: 0, wall: 1_700_000_000_000 };
  const state = new EmulatorState(resolveOptions(options), {
    clock: () => clock.mono,
    wallClock: () => clock.wall,
  });
  const at = (ms: number) => {
    clock.wall += ms - clock.mono;
    clock.mono = ms;
  };
  const real = (n: number, key = 'emulator-key') =>
    Array.from({ length: n }, () => state.checkLimits(key).ok).filter(Boolean).length;
  const other = () => state.snapshot().otherClient;
  return { state, at, real, other };
}

describe('the other client, on injected clocks', () => {
  it('arrives every 1000/n ms and is refused while the real client holds the window; refused arrivals use nothing', () => {
    const { at, real, other } = clocked({
      rateLimit: { perSecond: 10, shape: 'sliding' },
      otherClient: { perSecond: 4 },
    });
    at(100);
    assert.equal(real(11), 10);
    assert.deepEqual(other(), { admitted: 0, refused: 0 }, 'first arrival at 250 ms');
    at(1100); // arrivals at 250, 500, 750, 1000: the window still holds the 10 real ones of 100 ms
    assert.equal(real(11), 10, 'the 4 refused arrivals do not count: the real client gets all 10');
    assert.deepEqual(other(), { admitted: 0, refused: 4 });
    at(2249);
    assert.deepEqual(other(), { admitted: 0, refused: 8 }, '1250, 1500, 1750, 2000 refused too');
    at(2250);
    assert.deepEqual(other(), { admitted: 1, refused: 8 }, 'at 2250 the real ones of 1100 are gone');
  });

  it("its admitted arrivals use the real client's budget", () => {
    const { at, real, other } = clocked({
      rateLimit: { perSecond: 10, shape: 'sliding' },
      otherClient: { perSecond: 4 },
    });
    at(1000);
    assert.equal(real(10), 6, "4 of the last 1000 ms were the other client's");
    assert.deepEqual(other(), { admitted: 4, refused: 0 });
  });

  it('each arrival is judged at its own wall-clock time (fixed window)', () => {
    // 10/s against 5 per calendar second: 100..900 ms is one second (5 in, 4 out), 1000 ms the next.
    const { at, other } = clocked({
      rateLimit: { perSecond: 5, shape: 'fixed' },
      otherClient: { perSecond: 10 },
    });
    at(1000);
    assert.deepEqual(
      other(),
      { admitted: 6, refused: 4 },
      'all judged at the wall time of the catch-up would be 5/5',
    );
  });

  it('shares the token bucket: 30/s against 10/s with a burst of 10', () => {
    const { at, real, other } = clocked({
      rateLimit: { perSecond: 10, burst: 10 },
      otherClient: { perSecond: 30 },
    });
    at(10_000);
    const { admitted, refused } = other();
    assert.equal(admitted + refused, 300);
    assert.ok(admitted >= 109 && admitted <= 110, `${admitted}: the burst plus 10/s`);
    assert.equal(real(5), 0, 'the other client took every token');
  });

  it('uses no daily quota, and with no rate limit every arrival is admitted', () => {
    const { at, real, other } = clocked({
      rateLimit: false,
      dailyQuota: 3,
      otherClient: { perSecond: 1000 },
    });
    at(1000);
    assert.deepEqual(other(), { admitted: 1000, refused: 0 });
    assert.equal(real(5), 3);
  });

  it('applies to the first key only', () => {
    const { at, real } = clocked({
      apiKeys: ['first', 'second'],
      rateLimit: { perSecond: 10, shape: 'sliding' },
      otherClient: { perSecond: 5 },
    });
    at(1000);
    assert.equal(real(10, 'second'), 10);
    assert.equal(real(10, 'first'), 5);
  });

  it('configure() starts it, changes its rate, stops it; reset() restarts it from zero', () => {
    const { state, at, other } = clocked({ rateLimit: false });
    at(1000);
    assert.deepEqual(other(), { admitted: 0, refused: 0 });
    state.configure({ otherClient: { perSecond: 2 } });
    at(2000);
    assert.deepEqual(other(), { admitted: 2, refused: 0 }, 'from the configure, at 1500 and 2000');
    state.configure({ otherClient: { perSecond: 10 } });
    at(3000);
    assert.deepEqual(other(), { admitted: 12, refused: 0 });
    state.configure({ otherClient: false });
    at(9000);
    assert.deepEqual(other(), { admitted: 12, refused: 0 });
    state.configure({ otherClient: { perSecond: 1 } });
    state.reset();
    assert.deepEqual(other(), { admitted: 0, refused: 0 });
    at(10_000);
    assert.deepEqual(other(), { admitted: 1, refused: 0 });
  });

  it('refuses a rate that is not > 0', () => {
    for (const perSecond of [0, -1, Number.NaN]) {
      assert.throws(() => resolveOptions({ otherClient: { perSecond } }), {
        code: 'EMULATOR_INVALID_OPTION',
      });
    }
  });
});

describe('the other client over sockets (clocks set by the test)', () => {
  const started: EmulatorHandle[] = [];
  after(() => Promise.all(started.map((px) => px.close())));

  it('drains a shared bucket; never in requests, rateLimited or maxPerSecond', async () => {
    const { clocks, at } = manualClocks();
    const px = await startEmulator(
      { rateLimit: { perSecond: 20, burst: 20 }, otherClient: { perSecond: 400 } },
      clocks,
    );
    started.push(px);
    // 400/s against 20/s with a burst of 20: by 2010 ms it arrived 804 times (every 2.5 ms) and
    // took the 20 tokens of the burst and the 40 that came back (one every 50 ms), each as it
    // came: the bucket holds a fifth of a token when our ten requests arrive.
    at(2010);
    const replies = await Promise.all(Array.from({ length: 10 }, () => client(px)('GET', '/v1/users')));
    assert.deepEqual(
      replies.map((r) => r.status),
      Array.from({ length: 10 }, () => 429),
      'without the other client: 10 admitted',
    );
    const stats = px.stats();
    assert.equal(stats.requests, 10);
    assert.equal(stats.rateLimited, 10);
    assert.equal(stats.maxPerSecond, 10);
    assert.deepEqual(stats.otherClient, { admitted: 60, refused: 744 });
  });

  it('PATCH /__emulator/config starts and stops it; a bad rate is a 400', async () => {
    const { clocks, at } = manualClocks();
    const px = await startEmulator({ rateLimit: false }, clocks);
    started.push(px);
    const patch = (body: unknown) =>
      fetch(`${px.url}/__emulator/config`, { method: 'PATCH', body: JSON.stringify(body) });
    assert.equal((await patch({ otherClient: { perSecond: 0 } })).status, 400);
    at(1000);
    assert.equal((await patch({ otherClient: { perSecond: 100 } })).status, 204);
    at(1300);
    assert.deepEqual(px.stats().otherClient, { admitted: 30, refused: 0 }, 'one every 10 ms from the PATCH');
    assert.equal((await patch({ otherClient: false })).status, 204);
    at(1500);
    assert.deepEqual(px.stats().otherClient, { admitted: 30, refused: 0 }, 'none after it stopped');
  });
});
