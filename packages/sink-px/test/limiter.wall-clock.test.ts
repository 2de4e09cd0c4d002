/**
 * The limiter times everything on the monotonic clock: a wall clock that jumps (NTP stepping it,
 * a laptop waking up) must neither stall it nor let a burst through. `Date.now` is stubbed to
 * jump hours forward and back in the middle of a run of real jobs on real timers.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdaptiveLimiter } from '../src/limiter.js';
import { mostInWindow, ONE_SECOND_MS } from './helpers/starts.js';

const HOUR = 3_600_000;
const realNow = Date.now;
let offset = 0;

function stubWallClock(): void {
  offset = 0;
  Date.now = () => realNow() + offset;
}

afterEach(() => {
  Date.now = realNow;
});

describe('limiter: monotonic time', () => {
  it('the wall clock jumping 3 hours forward, then 6 back, mid-run: no stall, no burst', {
    timeout: 20_000,
  }, async () => {
    stubWallClock();
    const RATE = 50;
    const JOBS = 150;
    const limiter = new AdaptiveLimiter({ rate: RATE, concurrency: 8 });
    const starts: number[] = [];
    const began = performance.now();
    await Promise.all(
      Array.from({ length: JOBS }, (_, i) =>
        limiter.schedule(async () => {
          starts.push(performance.now());
          if (i === 40) offset += 3 * HOUR;
          if (i === 90) offset -= 6 * HOUR;
          await sleep(5);
        }),
      ),
    );
    const elapsed = performance.now() - began;
    // 150 starts at 50/s take 3 s; a limiter timing with Date.now would wait the 6 hours back.
    assert.ok(elapsed < 12_000, `the run took ${elapsed.toFixed(0)} ms`);
    // Nor a burst when the clock leaps forward: never more than 50 starts in a second.
    const most = mostInWindow(starts, ONE_SECOND_MS);
    assert.ok(most <= RATE, `${most} starts within one second`);
    limiter.stop();
  });

  it('a Retry-After pause lasts its duration whichever way the wall clock jumps', {
    timeout: 20_000,
  }, async () => {
    stubWallClock();
    for (const jump of [+2 * HOUR, -2 * HOUR]) {
      const limiter = new AdaptiveLimiter({ rate: 100, concurrency: 4 });
      const epoch = await limiter.schedule(async (e) => e);
      const refusedAt = performance.now();
      limiter.rateLimited(epoch, 1000);
      offset += jump;
      const startedAt = await limiter.schedule(async () => performance.now());
      const waited = startedAt - refusedAt;
      assert.ok(
        waited >= 990,
        `jump ${jump / HOUR} h: the next start came ${waited.toFixed(0)} ms after the 429`,
      );
      assert.ok(waited < 5000, `jump ${jump / HOUR} h: the pause lasted ${waited.toFixed(0)} ms`);
      limiter.stop();
    }
  });
});
