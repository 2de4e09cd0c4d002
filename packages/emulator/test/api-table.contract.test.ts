/**
 * Every row of the API table of px-api.md, over real sockets: the success status and body
 * shape, 401 without a valid key, 429 over the rate limit, and 404 for an absent id where the
 * table lists it. Refused requests (401, 429, 404) must apply nothing.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { account, type Call, client, dump, type Reply, user } from './client.js';

interface Row {
  row: string;
  method: string;
  path: string;
  body?: unknown;
  status: number;
  check?: (reply: Reply) => void;
  /** The same request for an absent id: answers 404 with PX's NOT_FOUND body. */
  absent?: { path: string; body?: unknown; message: string };
}

const EVENT = { identifyId: 'u1', eventName: 'signup', date: 1_700_000_000_000, propertyKey: 'AP-TEST-1' };
const userMissing = 'User was not found for parameters {id=nobody}';
const accountMissing = 'Account was not found for parameters {id=nobody}';

const ROWS: Row[] = [
  {
    row: 'create user',
    method: 'POST',
    path: '/v1/users',
    body: user('u2'),
    status: 201,
    check: (r) => assert.equal(r.json.identifyId, 'u2'),
  },
  {
    row: 'update user',
    method: 'PUT',
    path: '/v1/users/u1',
    body: { email: 'new@x.y' },
    status: 204,
    absent: { path: '/v1/users/nobody', body: { email: 'new@x.y' }, message: userMissing },
  },
  {
    row: 'update user, id in body',
    method: 'PUT',
    path: '/v1/users/update',
    body: { identifyId: 'u1', email: 'new@x.y' },
    status: 204,
    absent: { path: '/v1/users/update', body: { identifyId: 'nobody' }, message: userMissing },
  },
  {
    row: 'get user',
    method: 'GET',
    path: '/v1/users/u1',
    status: 200,
    check: (r) => assert.equal(r.json.identifyId, 'u1'),
    absent: { path: '/v1/users/nobody', message: userMissing },
  },
  {
    row: 'delete user',
    method: 'DELETE',
    path: '/v1/users/u1?hardDelete=false',
    status: 204,
    absent: { path: '/v1/users/nobody?hardDelete=false', message: userMissing },
  },
  {
    row: 'create account',
    method: 'POST',
    path: '/v1/accounts',
    body: account('a2'),
    status: 201,
    check: (r) => assert.equal(r.json.id, 'a2'),
  },
  {
    row: 'update account',
    method: 'PUT',
    path: '/v1/accounts/a1',
    body: { plan: 'pro' },
    status: 204,
    absent: { path: '/v1/accounts/nobody', body: { plan: 'pro' }, message: accountMissing },
  },
  {
    row: 'update account, id in body',
    method: 'PUT',
    path: '/v1/accounts/update',
    body: { id: 'a1', plan: 'pro' },
    status: 204,
    absent: { path: '/v1/accounts/update', body: { id: 'nobody' }, message: accountMissing },
  },
  {
    row: 'get account',
    method: 'GET',
    path: '/v1/accounts/a1',
    status: 200,
    check: (r) => assert.equal(r.json.id, 'a1'),
    absent: { path: '/v1/accounts/nobody', message: accountMissing },
  },
  {
    row: 'delete account',
    method: 'DELETE',
    path: '/v1/accounts/a1',
    status: 204,
    absent: { path: '/v1/accounts/nobody', message: accountMissing },
  },
  {
    row: 'list users',
    method: 'GET',
    path: '/v1/users?pageSize=10',
    status: 200,
    check: (r) => {
      assert.deepEqual(Object.keys(r.json).sort(), ['scrollId', 'totalHits', 'users']);
      assert.equal(r.json.totalHits, 1);
    },
  },
  {
    row: 'list accounts',
    method: 'GET',
    path: '/v1/accounts?pageSize=10',
    status: 200,
    check: (r) => assert.deepEqual(Object.keys(r.json).sort(), ['accounts', 'scrollId', 'totalHits']),
  },
  {
    row: 'user attribute metadata',
    method: 'GET',
    path: '/v1/admin/model/user/attributes',
    status: 200,
    check: (r) => assert.ok(Array.isArray(r.json) && r.json.length > 0),
  },
  {
    row: 'account attribute metadata',
    method: 'GET',
    path: '/v1/admin/model/account/attributes',
    status: 200,
    check: (r) => assert.ok(Array.isArray(r.json) && r.json.length > 0),
  },
  {
    row: 'custom event',
    method: 'POST',
    path: '/v1/events/custom',
    body: EVENT,
    status: 201,
    check: (r) => assert.deepEqual(r.json, EVENT),
  },
  {
    row: 'user preferences',
    method: 'PUT',
    path: '/v1/user/preferences/u1',
    body: { trackUsage: true },
    status: 204,
    absent: { path: '/v1/user/preferences/nobody', body: { trackUsage: true }, message: userMissing },
  },
];

describe('the API table of px-api.md, row by row', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({ rateLimit: false });
    call = client(px);
  });
  beforeEach(async () => {
    px.reset();
    px.configure({ rateLimit: false });
    assert.equal((await call('POST', '/v1/accounts', account('a1'))).status, 201);
    assert.equal((await call('POST', '/v1/users', user('u1', { accountId: 'a1' }))).status, 201);
  });
  after(() => px.close());

  /** Everything the emulator holds, to show a refused request applied nothing. */
  const everything = async () =>
    JSON.stringify(
      await Promise.all(['users', 'accounts', 'events', 'preferences'].map((type) => dump(px, type))),
    );

  for (const row of ROWS) {
    describe(`${row.row}: ${row.method} ${row.path}`, () => {
      it(`answers ${row.status}`, async () => {
        const reply = await call(row.method, row.path, row.body);
        assert.equal(reply.status, row.status, reply.text);
        if (row.status === 204) assert.equal(reply.text, '');
        row.check?.(reply);
      });

      it('answers 401 with the PX body without a valid key, and applies nothing', async () => {
        const before = await everything();
        for (const key of [null, 'not-a-key']) {
          const reply = await client(px, key)(row.method, row.path, row.body);
          assert.equal(reply.status, 401);
          assert.equal(reply.json.externalapierror.status, 'UNAUTHORIZED');
        }
        assert.equal(await everything(), before);
      });

      it('answers 429 "Rate limit exceeded" over the limit, and applies nothing', async () => {
        px.configure({ rateLimit: { perSecond: 0.01, burst: 1 } });
        assert.equal((await call('GET', '/v1/users/u1')).status, 200, 'uses the only token');
        const before = await everything();
        const reply = await call(row.method, row.path, row.body);
        assert.equal(reply.status, 429);
        assert.equal(reply.json.externalapierror.message, 'Rate limit exceeded');
        assert.match(reply.headers.get('retry-after') ?? '', /^\d+$/);
        px.configure({ rateLimit: false });
        assert.equal(await everything(), before);
      });

      if (row.absent) {
        const absent = row.absent;
        it('answers 404 with the NOT_FOUND body for an absent id', async () => {
          const before = await everything();
          const reply = await call(row.method, absent.path, absent.body);
          assert.equal(reply.status, 404);
          assert.deepEqual(reply.json, {
            externalapierror: {
              status: 'NOT_FOUND',
              message: absent.message,
              debugMessage: null,
              subErrors: null,
            },
          });
          assert.equal(await everything(), before);
        });
      }
    });
  }
});
