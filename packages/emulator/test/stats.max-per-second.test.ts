/**
 * `maxPerSecond`: the highest number of API requests seen in ANY one-second window (a sliding
 * window ending at each arrival), not per calendar second; refused requests count too.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { StatsCollector } from '../src/stats.js';
import { client } from './client.js';
import { manualClocks } from './clocks.js';

/** [case, arrival times in ms, expected maxPerSecond] */
const WINDOWS: Array<[string, number[], number]> = [
  ['no arrival', [], 0],
  ['one arrival', [5], 1],
  ['straddling a calendar second (per-second buckets would say 2)', [900, 950, 1050, 1100], 4],
  ['an arrival exactly 1000 ms later starts a new window', [0, 1000, 2000], 1],
  ['999 ms apart share a window', [0, 999], 2],
  ['the busiest window is in the middle', [0, 100, 1500, 1600, 1700, 1800, 2400, 3600], 5],
  ['spread out: one per 1.1 s', [0, 1100, 2200, 3300], 1],
];

function maxOf(times: number[]): number {
  let now = 0;
  const stats = new StatsCollector(() => now);
  for (const time of times) {
    now = time;
    stats.arrival();
  }
  return stats.snapshot({ users: 0, accounts: 0, events: 0, preferences: 0 }).maxPerSecond;
}

describe('maxPerSecond is an exact sliding one-second window', () => {
  for (const [name, times, expected] of WINDOWS) {
    it(name, () => assert.equal(maxOf(times), expected));
  }

  it('holds more arrivals than its initial ring (5,000 in one millisecond)', () => {
    assert.equal(maxOf(Array.from({ length: 5000 }, () => 10)), 5000);
  });

  it('keeps the maximum after the traffic slows down, and reset() clears it', () => {
    let now = 0;
    const stats = new StatsCollector(() => now);
    for (let i = 0; i < 300; i++) stats.arrival();
    for (let i = 1; i <= 10; i++) {
      now = i * 2000;
      stats.arrival();
    }
    const records = { users: 0, accounts: 0, events: 0, preferences: 0 };
    assert.equal(stats.snapshot(records).maxPerSecond, 300);
    assert.equal(stats.snapshot(records).requests, 310);
    stats.reset();
    assert.equal(stats.snapshot(records).maxPerSecond, 0);
  });
});

describe('maxPerSecond over sockets (clocks set by the test)', () => {
  let px: EmulatorHandle | undefined;
  after(() => px?.close());

  it('counts every request received: answered, refused by the key and by the rate limit', async () => {
    const { clocks, at } = manualClocks();
    px = await startEmulator({ rateLimit: { perSecond: 0.01, burst: 2 } }, clocks);
    const burst = () =>
      Promise.all([
        ...Array.from({ length: 6 }, () => client(px!)('GET', '/v1/users')),
        ...Array.from({ length: 4 }, () => client(px!, 'bad-key')('GET', '/v1/users')),
      ]);
    // Ten arrivals at one instant are one window of ten.
    const replies = await burst();
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 401, 401, 401, 401, 429, 429, 429, 429]);
    const stats = px.stats();
    assert.equal(stats.requests, 10);
    assert.equal(stats.rateLimited, 4);
    assert.equal(stats.maxPerSecond, 10);
    // Ten more 999 ms later share the window with the first ten; 1000 ms after those, they do not.
    at(999);
    await burst();
    assert.equal(px.stats().maxPerSecond, 20);
    at(1999);
    await burst();
    assert.equal(px.stats().maxPerSecond, 20);
    assert.equal(px.stats().requests, 30);
  });
});
