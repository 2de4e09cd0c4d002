/** `forbid`: a key lacking Read or Write permission (px-api.md "Permissions") answers 403. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { account, type Call, client, path, user } from './client.js';

const READS: Array<[string, string]> = [
  ['GET', '/v1/users/u1'],
  ['GET', '/v1/accounts/a1'],
  ['GET', '/v1/users?pageSize=5'],
  ['GET', '/v1/accounts'],
  ['GET', '/v1/admin/model/user/attributes'],
  ['GET', '/v1/admin/model/account/attributes'],
];
const WRITES: Array<[string, string, unknown?]> = [
  ['POST', '/v1/users', user('new')],
  ['PUT', '/v1/users/u1', { email: 'x@y.z' }],
  ['PUT', '/v1/users/update', { identifyId: 'u1', email: 'x@y.z' }],
  ['DELETE', '/v1/users/u1'],
  ['DELETE', '/v1/users/delete', { identifyId: 'u1' }],
  ['POST', '/v1/accounts', account('new')],
  ['PUT', '/v1/accounts/a1', { name: 'B' }],
  ['DELETE', '/v1/accounts/a1'],
  ['POST', '/v1/events/custom', { identifyId: 'u1', eventName: 'e' }],
  ['PUT', '/v1/user/preferences/u1', { trackUsage: true }],
];

describe('forbid: read or write permission missing', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({ rateLimit: false });
    call = client(px);
    assert.equal((await call('POST', '/v1/accounts', account('a1'))).status, 201);
    assert.equal((await call('POST', '/v1/users', user('u1', { accountId: 'a1' }))).status, 201);
  });
  after(() => px.close());

  const assertForbidden = (reply: { status: number; json: unknown }, permission: string) => {
    assert.equal(reply.status, 403);
    assert.deepEqual(reply.json, {
      externalapierror: {
        status: 'FORBIDDEN',
        message: `Access denied: the API key does not have ${permission} permission`,
        debugMessage: null,
        subErrors: null,
      },
    });
  };

  it('forbid read: every read answers 403 with a PX error body; writes still work', async () => {
    px.configure({ forbid: 'read' });
    try {
      for (const [method, target] of READS) assertForbidden(await call(method, target), 'Read');
      assert.equal((await call('PUT', '/v1/users/u1', { email: 'w@y.z' })).status, 204);
    } finally {
      px.configure({ forbid: false });
    }
    assert.equal((await call('GET', '/v1/users/u1')).json.email, 'w@y.z');
  });

  it('forbid write: every write answers 403 and changes nothing; reads still work', async () => {
    const before = await call('GET', '/v1/users/u1');
    px.configure({ forbid: 'write' });
    try {
      for (const [method, target, body] of WRITES) assertForbidden(await call(method, target, body), 'Write');
      for (const [method, target] of READS) assert.equal((await call(method, target)).status, 200, target);
    } finally {
      px.configure({ forbid: false });
    }
    assert.deepEqual((await call('GET', '/v1/users/u1')).json, before.json);
    assert.deepEqual(px.stats().records, { users: 1, accounts: 1, events: 0, preferences: 0 });
  });

  it('an unknown path is still 404, and a bad key still 401', async () => {
    px.configure({ forbid: 'read' });
    try {
      assert.equal((await call('GET', '/v1/nothing')).status, 404);
      assert.equal((await client(px, 'bad')('GET', '/v1/users/u1')).status, 401);
      assert.equal((await call('GET', path('/v1/users', 'a/b?c'))).status, 403);
    } finally {
      px.configure({ forbid: false });
    }
  });

  it('starts with forbid from the options; a bad value is refused', async () => {
    const readOnly = await startEmulator({ rateLimit: false, forbid: 'write' });
    try {
      assert.equal((await client(readOnly)('POST', '/v1/users', user('x'))).status, 403);
      assert.equal((await client(readOnly)('GET', '/v1/users')).status, 200);
      assert.equal(readOnly.stats().byRoute['POST /v1/users']?.['403'], 1);
    } finally {
      await readOnly.close();
    }
    // @ts-expect-error: a bad value on purpose
    await assert.rejects(startEmulator({ forbid: 'all' }), { code: 'EMULATOR_INVALID_OPTION' });
  });
});
