/**
 * The limiter times everything on the monotonic clock: a wall clock that jumps (NTP stepping it,
 * a laptop waking up) must neither stall it nor let a burst through. `Date.now` is stubbed to
 * jump hours forward and back in the middle of a run, on virtual time (helpers/virtual-time.ts):
 * the limiter's monotonic clock and its timers are the test's, so every start time is exact.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdaptiveLimiter } from '../src/limiter.js';
import { mostInWindow } from './helpers/starts.js';
import { type VirtualTime, virtualTime, WALL_START } from './helpers/virtual-time.js';

const HOUR = 3_600_000;

/**
 * `Date.now` (mocked by the virtual time) with an offset the test moves: the wall clock jumps,
 * the monotonic clock does not. The mock is undone at the end of the test.
 */
function jumpingWallClock(vt: VirtualTime) {
  const wall = { offset: 0 };
  Date.now = () => WALL_START + vt.now + wall.offset;
  return wall;
}

describe('limiter: monotonic time (virtual time)', () => {
  it('the wall clock jumping 3 hours forward, then 6 back, mid-run: no stall, no burst', async (t) => {
    const vt = virtualTime(t);
    const wall = jumpingWallClock(vt);
    const RATE = 50;
    const JOBS = 150;
    const limiter = new AdaptiveLimiter({ rate: RATE, concurrency: 8, clock: vt.clock });
    const starts: number[] = [];
    await vt.run(
      Promise.all(
        Array.from({ length: JOBS }, (_, i) =>
          limiter.schedule(async () => {
            starts.push(vt.now);
            if (i === 40) wall.offset += 3 * HOUR;
            if (i === 90) wall.offset -= 6 * HOUR;
            await vt.sleep(5);
          }),
        ),
      ),
      // A limiter timing with Date.now would wait the 6 hours back: a minute is far past the run.
      60_000,
    );
    assert.equal(starts.length, JOBS);
    // No stall: 150 starts at 50/s, every window of 1005 ms holding 50 (the limiter's rule), go in
    // three windows: the 50th at 980 ms, the 51st at 1005, the 101st at 2010, the 150th 49
    // slots of 20 ms later.
    assert.deepEqual([starts[49], starts[50], starts[100], starts.at(-1)], [980, 1005, 2010, 2990]);
    // Nor a burst when the clock leaps forward: never more than 50 starts in a second.
    assert.equal(mostInWindow(starts, 1005), RATE);
    limiter.stop();
  });

  it('a Retry-After pause lasts its duration whichever way the wall clock jumps', async (t) => {
    const vt = virtualTime(t);
    const wall = jumpingWallClock(vt);
    for (const jump of [+2 * HOUR, -2 * HOUR]) {
      const limiter = new AdaptiveLimiter({ rate: 100, concurrency: 4, clock: vt.clock });
      const epoch = await vt.run(limiter.schedule(async (e) => e));
      const refusedAt = vt.now;
      limiter.rateLimited(epoch, 1000);
      wall.offset += jump;
      const startedAt = await vt.run(limiter.schedule(async () => vt.now));
      assert.equal(startedAt - refusedAt, 1000, `jump ${jump / HOUR} h: the pause lasted exactly 1000 ms`);
      limiter.stop();
    }
  });
});
