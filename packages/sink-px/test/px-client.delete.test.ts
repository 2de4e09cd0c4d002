/**
 * Deleting (px-api.md "Deleting"): the exact requests (percent-encoded path, the body variant for
 * ids a path cannot carry, `hardDelete`), 404 as already gone, retries of a lost answer, and the
 * sink's delete mode, over a scripted server that shows the raw request.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { OUTCOME_EVENT, REJECTION_EVENT, type RowOutcome } from '@pxstream/core';
import { createPxClient, createPxSink, deleteRequest, type PxClient } from '../src/index.js';
import { pxError, type Script, type Scripted, scripted } from './helpers/scripted.js';

const KEY = 'pxk-delete-SECRET-77a1';
const notFound = { status: 404, body: pxError('NOT_FOUND', 'User was not found') };

describe('PxClient.deleteRecord', () => {
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

  it('percent-encodes odd ids in the path; delete, . and .. go by body; hardDelete said either way', async () => {
    const px = await start(() => ({ status: 204 }));
    const ids = ['a/b?c#d é', 'x?hardDelete=true', '名前', 'delete', '..', '.', 'update'];
    for (const id of ids) assert.equal((await px.deleteRecord('USER', id)).outcome, 'deleted');
    await px.deleteRecord('USER', 'h', { hard: true });
    assert.deepEqual(
      server!.seen.map((s) => `${s.method} ${s.url} ${s.body}`),
      [
        'DELETE /v1/users/a%2Fb%3Fc%23d%20%C3%A9?hardDelete=false ',
        'DELETE /v1/users/x%3FhardDelete%3Dtrue?hardDelete=false ',
        'DELETE /v1/users/%E5%90%8D%E5%89%8D?hardDelete=false ',
        'DELETE /v1/users/delete?hardDelete=false {"identifyId":"delete"}',
        'DELETE /v1/users/delete?hardDelete=false {"identifyId":".."}',
        'DELETE /v1/users/delete?hardDelete=false {"identifyId":"."}',
        'DELETE /v1/users/update?hardDelete=false ',
        'DELETE /v1/users/h?hardDelete=true ',
      ],
    );
  });

  it('accounts go by path with no hardDelete; hard on an account is refused before any request', async () => {
    const px = await start(() => ({ status: 200 }));
    assert.deepEqual(await px.deleteRecord('ACCOUNT', 'acc/1 #'), {
      outcome: 'deleted',
      status: 200,
      attempts: 1,
    });
    assert.equal(server!.seen[0]!.url, '/v1/accounts/acc%2F1%20%23');
    await assert.rejects(
      px.deleteRecord('ACCOUNT', 'a', { hard: true }),
      /PX has no hard delete of accounts/,
    );
    await assert.rejects(
      px.deleteRecord('CUSTOM_EVENT' as 'USER', 'a'),
      /PX deletes only users and accounts/,
    );
    assert.equal(server!.seen.length, 1);
  });

  it("PX's 404 is already gone, not an error; another status rejects the row with PX's message", async () => {
    const px = await start((seen) =>
      seen.url.includes('gone') ? notFound : { status: 400, body: pxError('BAD', 'nope') },
    );
    assert.deepEqual(await px.deleteRecord('USER', 'gone'), {
      outcome: 'already-gone',
      status: 404,
      attempts: 1,
    });
    const refused = await px.deleteRecord('USER', 'bad');
    assert.equal(refused.outcome, 'rejected');
    assert.equal(refused.outcome === 'rejected' && refused.code, 'PX_HTTP_400');
    assert.equal(px.stats().skipped, 1, 'already gone counts as skipped in the stats');
  });

  it('a reset after sending is retried (a DELETE is idempotent); the retry finding nothing is already gone', async () => {
    const px = await start((_seen, index) => (index === 0 ? { status: 0 } : notFound));
    assert.deepEqual(await px.deleteRecord('USER', 'u1'), {
      outcome: 'already-gone',
      status: 404,
      attempts: 2,
    });
  });

  it('deleteRequest: the request itself, for callers that plan', () => {
    assert.deepEqual(deleteRequest('USER', 'delete', true), {
      method: 'DELETE',
      path: '/users/delete?hardDelete=true',
      body: { identifyId: 'delete' },
    });
  });
});

describe('PxSink in delete mode', () => {
  let server: Scripted | undefined;
  afterEach(() => server?.close());

  it('deletes each row.key: deleted ends updated (reason deleted), 404 skipped (already gone)', async () => {
    server = await scripted((seen) => (seen.url.startsWith('/v1/users/b') ? notFound : { status: 204 }));
    const sink = createPxSink({
      baseUrl: server.baseUrl,
      apiKey: KEY,
      type: 'USER',
      delete: { hard: true },
      backoffBaseMs: 1,
    });
    const outcomes: RowOutcome[] = [];
    sink.on(OUTCOME_EVENT, (o: RowOutcome) => outcomes.push(o));
    sink.on(REJECTION_EVENT, () => assert.fail('no rejection'));
    for (const [index, key] of ['a', 'b'].entries()) sink.write({ index, line: index + 2, fields: [], key });
    sink.end();
    await once(sink, 'finish');
    assert.deepEqual(
      outcomes.map((o) => [o.row.key, o.outcome, o.reason]),
      [
        ['a', 'updated', 'deleted'],
        ['b', 'skipped', 'already gone'],
      ],
    );
    assert.deepEqual(
      server.seen.map((s) => `${s.method} ${s.url}`),
      ['DELETE /v1/users/a?hardDelete=true', 'DELETE /v1/users/b?hardDelete=true'],
    );
  });

  it('refuses delete mode for events, preferences, insertMissing and hard accounts', () => {
    const base = { baseUrl: 'http://127.0.0.1:9/v1', apiKey: KEY };
    for (const [options, message] of [
      [{ type: 'CUSTOM_EVENT', delete: {} }, /delete applies to USER and ACCOUNT/],
      [{ type: 'USER_PREFERENCES', delete: {} }, /delete applies to USER and ACCOUNT/],
      [{ type: 'USER', delete: {}, insertMissing: true }, /insertMissing does not apply to a delete/],
      [{ type: 'ACCOUNT', delete: { hard: true } }, /no hard delete of accounts/],
    ] as const) {
      assert.throws(() => createPxSink({ ...base, ...options }), message);
    }
  });
});
