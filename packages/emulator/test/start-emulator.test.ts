/** `startEmulator(options)` -> `{ url, baseUrl, apiKey, stats(), configure(), reset(), close() }`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EmulatorOptions, startEmulator } from '@pxstream/emulator';
import { client, user } from './client.js';

describe('startEmulator', () => {
  it('listens on a free loopback port by default (port 0): two at once get two ports', async () => {
    const [a, b] = await Promise.all([startEmulator(), startEmulator()]);
    try {
      for (const px of [a, b]) {
        assert.match(px.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(px.baseUrl, `${px.url}/v1`);
        assert.equal(px.apiKey, 'emulator-key');
        assert.notEqual(new URL(px.url).port, '0');
        assert.equal((await client(px)('GET', '/v1/users')).status, 200);
      }
      assert.notEqual(a.url, b.url);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stats() starts at zero and follows the traffic', async () => {
    const px = await startEmulator({ apiKeys: ['k1', 'k2'] });
    try {
      assert.equal(px.apiKey, 'k1');
      assert.deepEqual(px.stats(), {
        requests: 0,
        byRoute: {},
        rateLimited: 0,
        maxPerSecond: 0,
        faults: {
          serverError: 0,
          resetBefore: 0,
          resetAfter: 0,
          hang: 0,
          trickle: 0,
          throttle: 0,
          gateway403: 0,
          gateway504: 0,
        },
        created: { users: 0, accounts: 0, events: 0 },
        records: { users: 0, accounts: 0, events: 0, preferences: 0 },
        deleted: { users: 0, accounts: 0, cascadedUsers: 0, hardUsers: 0 },
        revived: { users: 0 },
        outage: { down: false, outages: 0, requests: 0 },
        otherClient: { admitted: 0, refused: 0 },
      });
      assert.equal((await client(px, 'k2')('POST', '/v1/users', user('u1'))).status, 201);
      const stats = px.stats();
      assert.equal(stats.requests, 1);
      assert.deepEqual(stats.byRoute, { 'POST /v1/users': { '201': 1 } });
      assert.equal(stats.records.users, 1);
      stats.byRoute['POST /v1/users']!['201'] = 99;
      assert.equal(px.stats().byRoute['POST /v1/users']?.['201'], 1, 'a snapshot, not the live counters');
    } finally {
      await px.close();
    }
  });

  it('close() stops listening at once, even with a keep-alive connection and a hung request', async () => {
    const px = await startEmulator({ faults: { hang: 1, methods: ['POST'] } });
    const call = client(px);
    assert.equal((await call('GET', '/v1/users')).status, 200, 'leaves a keep-alive connection open');
    const hung = call('POST', '/v1/users', user('h')).catch((error: unknown) => error);
    while (px.stats().faults.hang < 1) await new Promise((resolve) => setImmediate(resolve));
    // close() destroys every connection itself, so it ends within a few turns of the event loop
    // (the sockets' and the listener's close callbacks), counted here rather than timed. Waiting
    // for the kept-alive connection's timeout (30 s) or the hung request (never answered) would
    // take a timer or the client's action, which no number of turns brings.
    let closed = false;
    const closing = px.close().then(() => (closed = true));
    let turns = 0;
    while (!closed && turns < 100) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    assert.ok(closed, `close() still waiting after ${turns} turns of the event loop`);
    await closing;
    assert.ok((await hung) instanceof Error);
    await assert.rejects(fetch(`${px.url}/v1/users`));
    await px.close(); // a second close is harmless
  });

  /** [case, options] that must throw EMULATOR_INVALID_OPTION */
  const bad: Array<[string, EmulatorOptions]> = [
    ['a non-loopback host', { host: '0.0.0.0' }],
    ['a rate of 0', { rateLimit: { perSecond: 0 } }],
    ['a burst below 1', { rateLimit: { perSecond: 10, burst: 0.5 } }],
    ['a negative daily quota', { dailyQuota: -1 }],
    ['a fractional daily quota', { dailyQuota: 1.5 }],
    ['a negative latency', { latency: { fixedMs: -1 } }],
    ['a fault probability above 1', { faults: { hang: 1.5 } }],
    ['fault probabilities adding up past 1', { faults: { serverError: 0.6, resetAfter: 0.6 } }],
    ['no API key', { apiKeys: [] }],
    [
      'a custom attribute of unknown type',
      { customAttributes: { user: [{ apiName: 'x', type: 'TEXT' as 'STRING' }] } },
    ],
  ];
  for (const [name, options] of bad) {
    it(`refuses ${name} with code EMULATOR_INVALID_OPTION`, async () => {
      await assert.rejects(startEmulator(options), {
        name: 'EmulatorOptionError',
        code: 'EMULATOR_INVALID_OPTION',
      });
    });
  }

  it('configure() refuses a bad change and keeps the running configuration', async () => {
    const px = await startEmulator({ rateLimit: false });
    try {
      assert.throws(() => px.configure({ apiKeys: ['other'], faults: { serverError: 2 } }), {
        code: 'EMULATOR_INVALID_OPTION',
      });
      assert.equal((await client(px)('GET', '/v1/users')).status, 200, 'keys and faults unchanged');
    } finally {
      await px.close();
    }
  });
});
