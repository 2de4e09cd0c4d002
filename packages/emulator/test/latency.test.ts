/** Latency: a fixed delay plus seeded uniform jitter in [0, jitterMs), before every API answer. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, type LatencyOptions, startEmulator } from '@pxstream/emulator';
import { FaultPlan } from '../src/faults.js';
import { client } from './client.js';
import { heldSleep, until } from './clocks.js';

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

describe('latency over sockets (a wait the test releases)', () => {
  const started: EmulatorHandle[] = [];
  after(() => Promise.all(started.map((px) => px.close())));

  /**
   * Sends `n` GETs one after the other; each must reach the latency wait and get no answer
   * (none recorded in the stats) until the test releases the wait, then get its 200.
   */
  const held = async (px: EmulatorHandle, wait: ReturnType<typeof heldSleep>, n: number) => {
    const call = client(px);
    const answers = () => px.stats().byRoute['GET /v1/users']?.['200'] ?? 0;
    const before = answers();
    for (let i = 0; i < n; i++) {
      const reply = call('GET', '/v1/users');
      let answered = false;
      void reply.then(() => (answered = true));
      await until(() => wait.waiting.length > 0 || answered);
      assert.equal(answered, false, `request ${i} was answered without its latency`);
      assert.equal(answers(), before + i, 'no answer yet');
      wait.waiting.shift()!();
      assert.equal((await reply).status, 200);
    }
  };

  it('every answer waits for the fixed delay', async () => {
    const wait = heldSleep();
    const px = await startEmulator({ rateLimit: false, latency: { fixedMs: 120 } }, { sleep: wait.sleep });
    started.push(px);
    await held(px, wait, 5);
    assert.deepEqual(wait.asked, [120, 120, 120, 120, 120]);
  });

  it('configure() turns latency on while running', async () => {
    const wait = heldSleep();
    const px = await startEmulator({ rateLimit: false }, { sleep: wait.sleep });
    started.push(px);
    assert.equal((await client(px)('GET', '/v1/users')).status, 200);
    assert.deepEqual(wait.asked, [], 'no latency: no wait');
    const latency = { fixedMs: 150, jitterMs: 50 };
    px.configure({ latency });
    await held(px, wait, 3);
    // The seeded draws (seed 1), each in [150, 200).
    assert.deepEqual(wait.asked, delays(latency, 3));
    for (const ms of wait.asked) assert.ok(ms >= 150 && ms < 200, String(ms));
  });
});
