/** `PxClient.listPage`: one page of PX's list, over a scripted server that shows the raw request. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { isPxStreamError } from '@pxstream/core';
import { createPxClient, type PxClient } from '../src/index.js';
import { pxError, type Script, type Scripted, scripted } from './helpers/scripted.js';

const KEY = 'pxk-list-SECRET-0c61';
const page = (users: object[], totalHits: number, scrollId = 'next-1') => ({
  status: 200,
  body: { users, totalHits, scrollId },
});

describe('PxClient.listPage', () => {
  let server: Scripted | undefined;
  let client: PxClient | undefined;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });
  const start = async (script: Script) => {
    server = await scripted(script);
    client = createPxClient({ baseUrl: server.baseUrl, apiKey: KEY, timeoutMs: 2000, backoffBaseMs: 1 });
    return client;
  };
  const code = (expected: string) => (error: unknown) => isPxStreamError(error) && error.code === expected;

  it('sends pageSize, each filter, sort and scrollId percent-encoded, and reads the page', async () => {
    const px = await start(() => page([{ identifyId: 'a' }], 7, 'sc-2'));
    const answer = await px.listPage('USER', {
      pageSize: 1000,
      filters: ['email~*@acme.com;score>=10', 'location.city==São Paulo & co #1'],
      sort: 'identifyId',
      scrollId: 'abc+/=?#',
    });
    assert.deepEqual(answer, { records: [{ identifyId: 'a' }], totalHits: 7, scrollId: 'sc-2' });
    assert.equal(
      server!.seen[0]!.url,
      '/v1/users?pageSize=1000&filter=email~*%40acme.com%3Bscore%3E%3D10' +
        '&filter=location.city%3D%3DS%C3%A3o%20Paulo%20%26%20co%20%231&sort=identifyId&scrollId=abc%2B%2F%3D%3F%23',
    );
  });

  it('reads accounts from "accounts"', async () => {
    const px = await start(() => ({
      status: 200,
      body: { accounts: [{ id: 'x' }], totalHits: 1, scrollId: 's' },
    }));
    assert.deepEqual((await px.listPage('ACCOUNT', { pageSize: 1 })).records, [{ id: 'x' }]);
    assert.equal(server!.seen[0]!.url, '/v1/accounts?pageSize=1');
  });

  it("a 400 (a bad filter, an expired scroll) is PX_HTTP_400 with PX's message, not retried", async () => {
    const px = await start(() => ({
      status: 400,
      body: pxError('BAD_REQUEST', 'Invalid or expired scrollId'),
    }));
    await assert.rejects(
      px.listPage('USER', { pageSize: 10, scrollId: 'old' }),
      (error) => code('PX_HTTP_400')(error) && /expired scrollId/.test((error as Error).message),
    );
    assert.equal(server!.seen.length, 1);
  });

  it('a 503 is retried like any read', async () => {
    const px = await start((_, i) => (i === 0 ? { status: 503, body: 'busy' } : page([], 0)));
    assert.equal((await px.listPage('USER', { pageSize: 10 })).totalHits, 0);
    assert.equal(server!.seen.length, 2);
  });

  it("a scroll's page whose answer was lost is thrown, never asked for again (the scroll moved on)", async () => {
    for (const [lost, expected] of [
      [{ status: 0 }, 'PX_CONNECTION_FAILED'],
      [{ status: 502, body: 'bad gateway' }, 'PX_HTTP_502'],
    ] as const) {
      const px = await start((_, i) => (i === 0 ? lost : page([], 0)));
      await assert.rejects(
        px.listPage('USER', { pageSize: 10, scrollId: 'sc-1' }),
        (error) => code(expected)(error) && /the answer was lost/.test((error as Error).message),
      );
      assert.equal(server!.seen.length, 1, `${expected}: one request`);
      client!.close();
      await server!.close();
    }
    // A first page opens a scroll each time: retried as any read.
    const px = await start((_, i) => (i === 0 ? { status: 0 } : page([], 0)));
    assert.equal((await px.listPage('USER', { pageSize: 10 })).totalHits, 0);
    assert.equal(server!.seen.length, 2);
  });

  it('an answer that is not a page is PX_INVALID_RESPONSE', async () => {
    for (const body of [
      { accounts: [], totalHits: 0 },
      { users: [], totalHits: 'many' },
      { users: [1], totalHits: 1 },
    ]) {
      const px = await start(() => ({ status: 200, body }));
      await assert.rejects(
        px.listPage('USER', { pageSize: 10 }),
        code('PX_INVALID_RESPONSE'),
        JSON.stringify(body),
      );
      client!.close();
      await server!.close();
    }
    server = undefined;
    client = undefined;
  });

  it('no scrollId in the answer is left undefined (the reader decides)', async () => {
    const px = await start(() => ({ status: 200, body: { users: [], totalHits: 0, scrollId: null } }));
    assert.equal((await px.listPage('USER', { pageSize: 10 })).scrollId, undefined);
  });

  it('refuses a pageSize or a filter PX would not take, before any request', async () => {
    const px = await start(() => page([], 0));
    for (const pageSize of [0, 1001, 2.5]) {
      await assert.rejects(px.listPage('USER', { pageSize }), code('PX_INVALID_OPTION'));
    }
    await assert.rejects(px.listPage('USER', { pageSize: 10, filters: [' '] }), code('PX_INVALID_OPTION'));
    assert.equal(server!.seen.length, 0);
  });
});
