/**
 * The timeline (`GET /__emulator/timeline`, `handle.timeline()`): per-second counts since the
 * start or the last reset, dense, bounded to the last 3,600 seconds; exact on injected
 * clocks, and matching the stats over sockets (on clocks the test sets, too).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  type EmulatorHandle,
  type EmulatorTimeline,
  startEmulator,
  type TimelineSecond,
} from '@pxstream/emulator';
import { resolveOptions } from '../src/config.js';
import { EmulatorState } from '../src/state.js';
import { Timeline } from '../src/timeline.js';
import { client, user } from './client.js';
import { manualClocks } from './clocks.js';

const WALL = 1_700_000_000_500;

function clocked(capacity?: number) {
  const clock = { mono: 1000, wall: WALL };
  const timeline = new Timeline(
    () => clock.mono,
    () => clock.wall,
    capacity,
  );
  return { clock, timeline };
}

const zero = {
  admitted: 0,
  rateLimited: 0,
  throttled: 0,
  otherAdmitted: 0,
  otherRefused: 0,
  faults: 0,
  down: 0,
};

describe('the timeline ring', () => {
  it('counts each event in its second, lists every second up to now, empty ones included', () => {
    const { clock, timeline } = clocked();
    timeline.add('admitted');
    timeline.add('admitted', 1999);
    timeline.add('rateLimited', 2000);
    clock.mono = 4500;
    timeline.add('throttled');
    timeline.add('faults');
    assert.deepEqual(timeline.snapshot(), {
      startedAt: WALL,
      seconds: [
        { second: 0, wallMs: WALL, ...zero, admitted: 2 },
        { second: 1, wallMs: WALL + 1000, ...zero, rateLimited: 1 },
        { second: 2, wallMs: WALL + 2000, ...zero },
        { second: 3, wallMs: WALL + 3000, ...zero, throttled: 1, faults: 1 },
      ],
    });
  });

  it('keeps the last `capacity` seconds only, and drops an event older than that', () => {
    const { clock, timeline } = clocked(5);
    for (let s = 0; s < 12; s++) timeline.add('admitted', 1000 + s * 1000 + 10);
    clock.mono = 1000 + 11 * 1000 + 500;
    timeline.add('otherRefused', 1000 + 3 * 1000); // second 3: long gone
    const { seconds } = timeline.snapshot();
    assert.deepEqual(
      seconds.map((s) => s.second),
      [7, 8, 9, 10, 11],
    );
    assert.ok(seconds.every((s) => s.admitted === 1 && s.otherRefused === 0));
  });

  it('holds 3,600 seconds by default; reset() starts again at second 0', () => {
    const { clock, timeline } = clocked();
    clock.mono += 5000 * 1000;
    timeline.add('admitted');
    const { seconds } = timeline.snapshot();
    assert.equal(seconds.length, 3600);
    assert.equal(seconds[0]!.second, 1401, 'seconds 1401..5000');
    assert.equal(seconds.at(-1)!.admitted, 1);
    clock.wall += 77;
    timeline.reset();
    assert.deepEqual(timeline.snapshot(), {
      startedAt: clock.wall,
      seconds: [{ second: 0, wallMs: clock.wall, ...zero }],
    });
  });

  it("the other client's arrivals land in their own seconds, even when replayed later", () => {
    const clock = { mono: 0, wall: WALL };
    const state = new EmulatorState(
      resolveOptions({ rateLimit: { perSecond: 3, shape: 'sliding' }, otherClient: { perSecond: 5 } }),
      {
        clock: () => clock.mono,
        wallClock: () => clock.wall,
      },
    );
    clock.mono = 2500;
    const { seconds } = state.timelineSnapshot();
    assert.deepEqual(
      seconds.map((s) => [s.otherAdmitted, s.otherRefused]),
      [
        [3, 1], // 200, 400, 600 in; 800 out
        [3, 2], // 1000 out; 1200, 1400, 1600 in (as 200, 400, 600 leave the window); 1800 out
        [2, 1], // 2000 out; 2200, 2400 in
      ],
    );
  });
});

describe('GET /__emulator/timeline over sockets (clocks set by the test)', () => {
  let px: EmulatorHandle;
  const { clocks, at } = manualClocks(WALL);
  after(() => px?.close());
  const timeline = async () =>
    (await (await fetch(`${px.url}/__emulator/timeline`)).json()) as EmulatorTimeline;
  const total = (t: EmulatorTimeline, field: keyof TimelineSecond) =>
    t.seconds.reduce((sum, s) => sum + s[field], 0);

  it('adds up to what happened: admitted, limited, throttled, faults; other client apart', async () => {
    px = await startEmulator({ rateLimit: { perSecond: 0.01, burst: 6 } }, clocks);
    const call = client(px);
    assert.equal((await client(px, 'bad')('GET', '/v1/users')).status, 401);
    px.configure({ faults: { throttle: 1 } });
    assert.equal((await call('GET', '/v1/users')).status, 429);
    px.configure({ faults: { serverError: 1 } });
    assert.ok((await call('GET', '/v1/users')).status >= 500);
    px.configure({ faults: {} });
    assert.equal((await call('POST', '/v1/users', user('t1'))).status, 201);
    assert.equal((await call('GET', '/v1/nowhere')).status, 404);
    // The rest in the next seconds: each second counts what happened in it.
    at(1500);
    for (let i = 0; i < 3; i++) await call('GET', '/v1/users');
    at(2999);
    for (let i = 0; i < 4; i++) assert.equal((await call('GET', '/v1/users')).status, 429);
    const t = await timeline();
    assert.deepEqual(
      {
        admitted: total(t, 'admitted'),
        rateLimited: total(t, 'rateLimited'),
        throttled: total(t, 'throttled'),
        faults: total(t, 'faults'),
        otherAdmitted: total(t, 'otherAdmitted'),
        otherRefused: total(t, 'otherRefused'),
      },
      { admitted: 6, rateLimited: 4, throttled: 1, faults: 1, otherAdmitted: 0, otherRefused: 0 },
    );
    assert.equal(px.stats().rateLimited, 5, 'the stats count throttles as rate limited');
    assert.equal(t.startedAt, WALL, 'startedAt is the wall-clock start');
    assert.deepEqual(t.seconds, [
      { second: 0, wallMs: WALL, ...zero, admitted: 3, throttled: 1, faults: 1 },
      { second: 1, wallMs: WALL + 1000, ...zero, admitted: 3 },
      { second: 2, wallMs: WALL + 2000, ...zero, rateLimited: 4 },
    ]);
    assert.deepEqual(px.timeline(), t, 'the handle gives the same');
  });

  it('reset clears it and starts again at second 0', async () => {
    at(4200);
    assert.equal((await fetch(`${px.url}/__emulator/reset`, { method: 'POST' })).status, 204);
    assert.deepEqual(await timeline(), {
      startedAt: WALL + 4200,
      seconds: [{ second: 0, wallMs: WALL + 4200, ...zero }],
    });
  });

  it('only GET', async () => {
    assert.equal((await fetch(`${px.url}/__emulator/timeline`, { method: 'POST' })).status, 405);
  });
});
