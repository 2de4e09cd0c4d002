import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@pxstream/emulator';
import { client, user } from './client.js';

/** Sequential requests (one at a time, so the order of draws is fixed): statuses, or 'error'. */
async function run(px: EmulatorHandle, count: number, make: (i: number) => [string, string, unknown?]) {
  const call = client(px);
  const out: Array<number | 'error'> = [];
  for (let i = 0; i < count; i++) {
    const [method, path, body] = make(i);
    try {
      out.push((await call(method, path, body)).status);
    } catch {
      out.push('error');
    }
  }
  return out;
}

const count = (list: unknown[], test: (v: unknown) => boolean) => list.filter(test).length;
const is5xx = (s: unknown) => typeof s === 'number' && s >= 500;

describe('faults from a seeded generator', () => {
  const started: EmulatorHandle[] = [];
  const start = async (options: EmulatorOptions) => {
    const px = await startEmulator({ rateLimit: false, ...options });
    started.push(px);
    return px;
  };
  after(() => Promise.all(started.map((px) => px.close())));

  it('serverError at 0.1: about 40 of 400, and the same seed repeats the sequence', async () => {
    const N = 400;
    const px = await start({ faults: { seed: 42, serverError: 0.1 } });
    const first = await run(px, N, () => ['GET', '/v1/users/nobody']);
    const errors = count(first, is5xx);
    assert.ok(errors >= N * 0.06 && errors <= N * 0.14, `${errors} server errors`);
    assert.equal(
      count(first, (s) => s === 404),
      N - errors,
    );
    assert.equal(px.stats().faults.serverError, errors);
    for (const status of [500, 502, 503]) assert.ok(first.includes(status), `${status} happens`);
    px.reset();
    const again = await run(px, N, () => ['GET', '/v1/users/nobody']);
    assert.deepEqual(again, first);
    px.configure({ faults: { seed: 43, serverError: 0.1 } });
    assert.notDeepEqual(await run(px, N, () => ['GET', '/v1/users/nobody']), first);
  });

  it('502 is an HTML page (not JSON), 500 and 503 are PX JSON errors', async () => {
    const px = await start({ faults: { seed: 7, serverError: 1 } });
    const call = client(px);
    const seen = new Map<number, string>();
    for (let i = 0; i < 60 && seen.size < 3; i++) {
      const reply = await call('GET', '/v1/users');
      seen.set(reply.status, reply.json ? 'json' : reply.text.includes('<html>') ? 'html' : 'other');
    }
    assert.deepEqual(Object.fromEntries(seen), { ...{ 500: 'json', 502: 'html', 503: 'json' } });
  });

  it('resetBefore at 0.1: the socket dies and nothing is applied', async () => {
    const N = 250;
    const px = await start({ faults: { seed: 1, resetBefore: 0.1 } });
    const out = await run(px, N, (i) => ['POST', '/v1/users', user(`rb${i}`)]);
    const errors = count(out, (s) => s === 'error');
    assert.ok(errors >= N * 0.05 && errors <= N * 0.15, `${errors} resets`);
    assert.equal(px.stats().faults.resetBefore, errors);
    assert.equal(
      px.stats().records.users,
      count(out, (s) => s === 201),
    );
    assert.equal(px.stats().byRoute['POST /v1/users']?.resetBefore, errors);
  });

  it('resetAfter at 0.1: the write is applied, then the socket dies unanswered', async () => {
    const N = 250;
    const px = await start({ faults: { seed: 2, resetAfter: 0.1 } });
    const out = await run(px, N, (i) => ['POST', '/v1/users', user(`ra${i}`)]);
    const errors = count(out, (s) => s === 'error');
    assert.ok(errors >= N * 0.05 && errors <= N * 0.15, `${errors} resets`);
    const stats = px.stats();
    assert.equal(stats.faults.resetAfter, errors);
    assert.equal(stats.records.users, N, 'every create applied, answered or not');
    assert.equal(stats.created.users, N);
    px.configure({ faults: {} });
    const lost = out.indexOf('error');
    const call = client(px);
    assert.equal((await call('GET', `/v1/users/ra${lost}`)).status, 200, 'the lost create is there');
    assert.equal(
      (await call('POST', '/v1/users', user(`ra${lost}`))).status,
      400,
      'a blind retry is a duplicate',
    );
  });

  it('hang: no answer until the client gives up, nothing applied; close() ends it', async () => {
    const px = await start({ faults: { hang: 1 } });
    const controller = new AbortController();
    const pending = client(px)('POST', '/v1/users', user('hung'), {}).catch((error: unknown) => error);
    // A second request with a signal: abort it once the emulator has counted both hangs.
    const aborted = fetch(`${px.baseUrl}/users`, {
      method: 'POST',
      headers: { 'x-aptrinsic-api-key': px.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(user('hung2')),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    while (px.stats().faults.hang < 2) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    assert.equal(((await aborted) as Error).name, 'AbortError');
    px.configure({ faults: {} });
    assert.equal((await client(px)('GET', '/v1/users/hung')).status, 404);
    assert.equal((await client(px)('GET', '/v1/users/hung2')).status, 404);
    await px.close();
    assert.ok((await pending) instanceof Error, 'the hung request fails when the emulator closes');
  });

  it('trickle: the correct answer, sent in many small chunks', async () => {
    const px = await start({ faults: { trickle: 1, trickleChunkBytes: 8, trickleChunkDelayMs: 2 } });
    const { chunks, body, status } = await new Promise<{ chunks: number; body: string; status: number }>(
      (resolve, reject) => {
        const req = request(`${px.baseUrl}/admin/model/account/attributes`, {
          headers: { 'x-aptrinsic-api-key': px.apiKey },
        });
        req.on('response', (res) => {
          let chunks = 0;
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (data: string) => {
            chunks++;
            body += data;
          });
          res.on('end', () => resolve({ chunks, body, status: res.statusCode ?? 0 }));
        });
        req.on('error', reject);
        req.end();
      },
    );
    assert.equal(status, 200);
    const parsed = JSON.parse(body) as Array<{ apiName: string }>;
    assert.ok(parsed.some((a) => a.apiName === 'renewalDate'));
    assert.ok(chunks >= 10, `${chunks} chunks for ${body.length} bytes`);
    assert.equal(px.stats().faults.trickle, 1);
  });

  it('methods limits faults to some methods', async () => {
    const px = await start({ faults: { serverError: 1, methods: ['POST'] } });
    const call = client(px);
    assert.equal((await call('GET', '/v1/users')).status, 200);
    assert.ok((await call('POST', '/v1/users', user('m1'))).status >= 500);
  });

  it('never touches the control plane', async () => {
    const px = await start({ faults: { resetBefore: 0.5, serverError: 0.5 } });
    for (let i = 0; i < 20; i++) assert.equal((await fetch(`${px.url}/__emulator/stats`)).status, 200);
    assert.equal(px.stats().faults.serverError + px.stats().faults.resetBefore, 0);
  });

  it('latency does not change which requests fail (jitter has its own generator)', async () => {
    const plain = await start({ faults: { seed: 9, serverError: 0.2 } });
    const slow = await start({ faults: { seed: 9, serverError: 0.2 }, latency: { fixedMs: 1, jitterMs: 2 } });
    const a = await run(plain, 100, () => ['GET', '/v1/users']);
    const b = await run(slow, 100, () => ['GET', '/v1/users']);
    assert.deepEqual(b, a);
    assert.ok(count(a, is5xx) > 0);
  });
});
