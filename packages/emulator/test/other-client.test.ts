/**
 * The simulated other client of the same key (`otherClient`): virtual arrivals evenly spaced
 * on the monotonic clock, replayed lazily and judged one by one by the key's limiter (exact
 * with injected clocks), never counted as the real client's traffic, never using the daily
 * quota; then over sockets and through the control plane.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@pxstream/emulator';
import { resolveOptions } from '../src/config.js';
import { EmulatorState } from '../src/state.js';
import { client } from './client.js';

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

describe('the other client over sockets', () => {
  const started: EmulatorHandle[] = [];
  after(() => Promise.all(started.map((px) => px.close())));

  it('drains a shared bucket; never in requests, rateLimited or maxPerSecond', async () => {
    // 400/s against 20/s with a burst of 20: the bucket is empty within a tenth of a second, and
    // the other client takes each token as it comes back (it tries every 2.5 ms, a token comes
    // every 50 ms): our ten requests find it empty however spread out a busy machine sends them.
    // Before the start: the other client's clock starts inside it.
    const begun = performance.now();
    const px = await startEmulator({
      rateLimit: { perSecond: 20, burst: 20 },
      otherClient: { perSecond: 400 },
    });
    started.push(px);
    await sleep(2000);
    // The other client's two seconds of arrivals are replayed now (stats() catches it up), not
    // inside our first request's admission: a machine that pauses the process mid-replay would
    // otherwise give our request the tokens that came back meanwhile.
    px.stats();
    const replies = await Promise.all(Array.from({ length: 10 }, () => client(px)('GET', '/v1/users')));
    const admitted = replies.filter((r) => r.status === 200).length;
    const stats = px.stats();
    const elapsed = (performance.now() - begun) / 1000;
    assert.ok(admitted <= 3, `${admitted} of 10 admitted (without the other client: 10)`);
    assert.equal(stats.requests, 10);
    assert.equal(stats.rateLimited, 10 - admitted);
    assert.ok(stats.maxPerSecond <= 10);
    const other = stats.otherClient;
    assert.ok(
      other.admitted >= 20 + 20 * 1.5 && other.admitted <= 20 + 20 * elapsed + 1,
      JSON.stringify(other),
    );
    assert.ok(other.refused >= 1);
  });

  it('PATCH /__emulator/config starts and stops it; a bad rate is a 400', async () => {
    const px = await startEmulator({ rateLimit: false });
    started.push(px);
    const patch = (body: unknown) =>
      fetch(`${px.url}/__emulator/config`, { method: 'PATCH', body: JSON.stringify(body) });
    assert.equal((await patch({ otherClient: { perSecond: 0 } })).status, 400);
    assert.equal((await patch({ otherClient: { perSecond: 100 } })).status, 204);
    await sleep(300);
    assert.ok(px.stats().otherClient.admitted >= 10);
    assert.equal((await patch({ otherClient: false })).status, 204);
    const stopped = px.stats().otherClient.admitted;
    await sleep(200);
    assert.equal(px.stats().otherClient.admitted, stopped);
  });
});
