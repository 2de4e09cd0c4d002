/**
 * Answers that are not PX's JSON: the gateway faults (403 and 504 HTML pages, nothing
 * applied, seeded, counted) and `noRouteHtml` (a 404 HTML page for paths outside the API,
 * e.g. a base URL without `/v1`).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@pxstream/emulator';
import { client, user } from './client.js';

describe('gateway faults', () => {
  const started: EmulatorHandle[] = [];
  const start = async (options: EmulatorOptions) => {
    const px = await startEmulator({ rateLimit: false, ...options });
    started.push(px);
    return px;
  };
  after(() => Promise.all(started.map((px) => px.close())));

  /** [kind, status, title] */
  const kinds = [
    ['gateway403', 403, '403 Forbidden'],
    ['gateway504', 504, '504 Gateway Time-out'],
  ] as const;
  for (const [kind, status, title] of kinds) {
    it(`${kind}: ${status} with a text/html page titled "${title}", nothing applied, counted`, async () => {
      const px = await start({ faults: { [kind]: 1 } });
      const reply = await client(px)('POST', '/v1/users', user('g1'));
      assert.equal(reply.status, status);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
      assert.ok(reply.text.includes(`<title>${title}</title>`), reply.text);
      assert.equal(reply.json, undefined, 'not JSON');
      const stats = px.stats();
      assert.equal(stats.records.users, 0);
      assert.equal(stats.created.users, 0);
      assert.equal(stats.faults[kind], 1);
      assert.deepEqual(stats.byRoute['POST /v1/users'], { [status]: 1 });
      assert.equal(stats.rateLimited, 0);
    });
  }

  it('both at 0.1 with a seed: each at about its rate, the same seed repeats the sequence', async () => {
    const px = await start({ faults: { seed: 21, gateway403: 0.1, gateway504: 0.1 } });
    const call = client(px);
    const run = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 400; i++) statuses.push((await call('GET', '/v1/users/nobody')).status);
      return statuses;
    };
    const first = await run();
    const { gateway403, gateway504 } = px.stats().faults;
    for (const [n, status] of [
      [gateway403, 403],
      [gateway504, 504],
    ] as const) {
      assert.ok(n >= 20 && n <= 60, `${n} of 400 answered ${status}`);
      assert.equal(first.filter((s) => s === status).length, n);
    }
    assert.equal(first.filter((s) => s === 404).length, 400 - gateway403 - gateway504);
    px.reset();
    assert.deepEqual(await run(), first);
  });

  it('adding a gateway fault leaves the sequence of the other kinds unchanged', async () => {
    const statuses = async (faults: EmulatorOptions['faults']) => {
      const px = await start({ faults });
      const call = client(px);
      const out: number[] = [];
      for (let i = 0; i < 200; i++) out.push((await call('GET', '/v1/users/nobody')).status);
      return out;
    };
    const before = await statuses({ seed: 8, serverError: 0.2 });
    const withGateway = await statuses({ seed: 8, serverError: 0.2, gateway504: 0.2 });
    const serverErrors = (list: number[]) => list.map((s) => (s >= 500 && s !== 504 ? s : 0));
    assert.deepEqual(serverErrors(withGateway), serverErrors(before));
    assert.ok(withGateway.includes(504));
  });
});

describe('noRouteHtml: paths outside the API', () => {
  let px: EmulatorHandle;
  after(() => px?.close());
  const outside: Array<[string, string]> = [
    ['GET', '/admin/model/user/attributes'],
    ['POST', '/events/custom'],
    ['PUT', '/user/preferences/x'],
    ['GET', '/users/u1'],
  ];

  it('off (default): 404 with PX-style JSON {errorMessage}', async () => {
    px = await startEmulator({ rateLimit: false });
    for (const [method, path] of outside) {
      const reply = await client(px)(method, path, method === 'GET' ? undefined : {});
      assert.equal(reply.status, 404);
      assert.match(reply.json.errorMessage, /^No route for /);
    }
  });

  it('on: 404 with a text/html page; a known path with a wrong method stays a JSON 405', async () => {
    const patched = await fetch(`${px.url}/__emulator/config`, {
      method: 'PATCH',
      body: JSON.stringify({ noRouteHtml: true }),
    });
    assert.equal(patched.status, 204);
    for (const [method, path] of outside) {
      const reply = await client(px)(method, path, method === 'GET' ? undefined : {});
      assert.equal(reply.status, 404, `${method} ${path}`);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
      assert.ok(reply.text.includes('<title>404 Not Found</title>'), reply.text);
    }
    const wrongMethod = await client(px)('PATCH', '/v1/users');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.json.externalapierror.status, 'METHOD_NOT_ALLOWED');
    assert.equal((await client(px)('GET', '/v1/users')).status, 200, 'the API itself is unchanged');
    assert.equal(
      (await fetch(`${px.url}/__emulator/nothing`)).headers.get('content-type')?.includes('json'),
      true,
    );
  });

  it('a non-boolean noRouteHtml is refused', async () => {
    const patched = await fetch(`${px.url}/__emulator/config`, {
      method: 'PATCH',
      body: JSON.stringify({ noRouteHtml: 'yes' }),
    });
    assert.equal(patched.status, 400);
  });
});
