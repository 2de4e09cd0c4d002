/** Latency: a fixed delay plus seeded uniform jitter in [0, jitterMs), before every API answer. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, type LatencyOptions, startEmulator } from '@pxstream/emulator';
import { FaultPlan } from '../src/faults.js';
import { client } from './client.js';

const delays = (latency: LatencyOptions | undefined, n: number, seed = 1) => {
  const plan = new FaultPlan({ seed }, latency);
  return Array.from({ length: n }, () => plan.delayMs());
};

describe('latency draws', () => {
  /** [case, latency, min, max (exclusive)] */
  const table: Array<[string, LatencyOptions | undefined, number, number]> = [
    ['off', undefined, 0, 0.001],
    ['fixed only', { fixedMs: 40 }, 40, 40.001],
    ['fixed plus jitter', { fixedMs: 40, jitterMs: 20 }, 40, 60],
    ['jitter only', { fixedMs: 0, jitterMs: 100 }, 0, 100],
  ];
  for (const [name, latency, min, max] of table) {
    it(`${name}: every delay in [${min}, ${max})`, () => {
      for (const delay of delays(latency, 2000)) assert.ok(delay >= min && delay < max, String(delay));
    });
  }

  it('jitter is spread uniformly over its range', () => {
    const values = delays({ fixedMs: 10, jitterMs: 100 }, 10_000);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(mean > 57 && mean < 63, `mean ${mean}`);
    const quarters = [0, 0, 0, 0];
    for (const v of values) quarters[Math.floor((v - 10) / 25)]!++;
    for (const q of quarters) assert.ok(q > 2200 && q < 2800, `quarters ${quarters}`);
  });

  it('the same seed gives the same delays, another seed others; reseed() restarts', () => {
    const latency = { fixedMs: 5, jitterMs: 50 };
    assert.deepEqual(delays(latency, 50, 7), delays(latency, 50, 7));
    assert.notDeepEqual(delays(latency, 50, 7), delays(latency, 50, 8));
    const plan = new FaultPlan({ seed: 7 }, latency);
    const first = Array.from({ length: 10 }, () => plan.delayMs());
    plan.reseed();
    assert.deepEqual(
      Array.from({ length: 10 }, () => plan.delayMs()),
      first,
    );
  });
});

describe('latency over sockets', () => {
  const started: EmulatorHandle[] = [];
  after(() => Promise.all(started.map((px) => px.close())));

  const timed = async (px: EmulatorHandle, n: number) => {
    const call = client(px);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      assert.equal((await call('GET', '/v1/users')).status, 200);
      out.push(performance.now() - t);
    }
    return out;
  };

  it('every answer waits at least the fixed delay', async () => {
    const px = await startEmulator({ rateLimit: false, latency: { fixedMs: 120 } });
    started.push(px);
    for (const ms of await timed(px, 5)) assert.ok(ms >= 115, `${ms} ms`);
  });

  it('configure() turns latency on while running', async () => {
    const px = await startEmulator({ rateLimit: false });
    started.push(px);
    px.configure({ latency: { fixedMs: 150, jitterMs: 50 } });
    for (const ms of await timed(px, 3)) assert.ok(ms >= 145, `${ms} ms`);
  });
});
