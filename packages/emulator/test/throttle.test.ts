/**
 * Random throttles (`faults.throttle`): PX's 429 "Rate limit exceeded" at the configured rate
 * from the seeded generator, with their own Retry-After, nothing applied, counted as rate
 * limited and as a fault, and using no rate-limit budget or quota.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@pxstream/emulator';
import { client, user } from './client.js';

describe('random throttles', () => {
  const started: EmulatorHandle[] = [];
  const start = async (options: EmulatorOptions) => {
    const px = await startEmulator({ rateLimit: false, ...options });
    started.push(px);
    return px;
  };
  after(() => Promise.all(started.map((px) => px.close())));

  it("throttle at 0.2: about 80 of 400 creates get PX's 429, none applied; the same seed repeats", async () => {
    const px = await start({ faults: { seed: 11, throttle: 0.2, throttleRetryAfterSec: 7 } });
    const call = client(px);
    const run = async (prefix: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < 400; i++) {
        const reply = await call('POST', '/v1/users', user(`${prefix}${i}`));
        statuses.push(reply.status);
        if (reply.status === 429) {
          assert.deepEqual(reply.json, {
            externalapierror: {
              status: 'TOO_MANY_REQUESTS',
              message: 'Rate limit exceeded',
              debugMessage: null,
              subErrors: null,
            },
          });
          assert.equal(reply.headers.get('retry-after'), '7');
        }
      }
      return statuses;
    };
    const first = await run('a');
    const throttled = first.filter((s) => s === 429).length;
    assert.ok(throttled >= 48 && throttled <= 112, `${throttled} throttled of 400`);
    assert.equal(first.filter((s) => s === 201).length, 400 - throttled);
    const stats = px.stats();
    assert.equal(stats.faults.throttle, throttled);
    assert.equal(stats.rateLimited, throttled);
    assert.equal(stats.byRoute['POST /v1/users']?.['429'], throttled);
    assert.equal(stats.records.users, 400 - throttled, 'a throttled create is not applied');
    assert.equal(stats.created.users, 400 - throttled);
    px.reset();
    assert.deepEqual(await run('a'), first, 'same seed, same requests throttled');
  });

  it('Retry-After defaults to 1 s, and is left out under retryAfter: false', async () => {
    const withHeader = await start({ faults: { throttle: 1 } });
    assert.equal((await client(withHeader)('GET', '/v1/users')).headers.get('retry-after'), '1');
    const without = await start({ retryAfter: false, faults: { throttle: 1, throttleRetryAfterSec: 5 } });
    const reply = await client(without)('GET', '/v1/users');
    assert.equal(reply.status, 429);
    assert.equal(reply.headers.has('retry-after'), false);
  });

  it('a throttled request uses no rate-limit budget: exactly the burst is still admitted', async () => {
    // A refill of one token per 100 s: the 5 tokens of the burst are all there is.
    const px = await start({
      rateLimit: { perSecond: 0.01, burst: 5 },
      faults: { seed: 3, throttle: 0.5, throttleRetryAfterSec: 7 },
    });
    const call = client(px);
    const seen = { admitted: 0, throttled: 0, limited: 0 };
    for (let i = 0; i < 40; i++) {
      const reply = await call('GET', '/v1/users');
      if (reply.status === 200) seen.admitted++;
      else if (reply.headers.get('retry-after') === '7') seen.throttled++;
      else seen.limited++;
    }
    assert.ok(seen.throttled > 0, 'some requests were throttled while tokens were left');
    assert.equal(seen.admitted, 5, 'a throttle that took a token would leave fewer than 5');
    assert.equal(seen.limited, 40 - 5 - seen.throttled);
    assert.equal(px.stats().faults.throttle, seen.throttled);
  });

  it('a throttled request uses no daily quota either', async () => {
    const px = await start({ dailyQuota: 3, faults: { seed: 3, throttle: 0.5 } });
    const call = client(px);
    let admitted = 0;
    let throttled = 0;
    for (let i = 0; i < 30; i++) {
      const reply = await call('GET', '/v1/users');
      if (reply.status === 200) admitted++;
      else if (reply.json.externalapierror.message === 'Rate limit exceeded') throttled++;
    }
    assert.ok(throttled > 0);
    assert.equal(admitted, 3);
  });

  it('the throttle counts in the sum of fault probabilities, and its Retry-After must be whole seconds', async () => {
    await assert.rejects(start({ faults: { throttle: 0.6, serverError: 0.5 } }), {
      code: 'EMULATOR_INVALID_OPTION',
    });
    await assert.rejects(start({ faults: { throttle: 1.5 } }), { code: 'EMULATOR_INVALID_OPTION' });
    for (const throttleRetryAfterSec of [-1, 1.5]) {
      await assert.rejects(start({ faults: { throttle: 0.1, throttleRetryAfterSec } }), {
        code: 'EMULATOR_INVALID_OPTION',
      });
    }
  });

  it('configure() turns throttles on while running, for the fault methods only', async () => {
    const px = await start({});
    const call = client(px);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    px.configure({ faults: { throttle: 1, methods: ['POST'] } });
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.equal((await call('POST', '/v1/users', user('t'))).status, 429);
    assert.equal(px.stats().faults.throttle, 1);
  });
});
