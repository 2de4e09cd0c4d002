/**
 * Deletes (px-api.md "Deleting"): users by path or by body id, soft or hard; a soft-deleted
 * user revives with its history within the revive window, never after a hard delete; an
 * account takes its users with it. Wall-clock times set by the test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { account, type Call, client, dump, path, user } from './client.js';
import { manualClocks } from './clocks.js';

/** Even indexes are deleted by path, odd ones by body: `delete` itself only can be (as `update` for PUT). */
const ODD_IDS = [
  'a/b?c#d é',
  '../admin',
  'x?hardDelete=true',
  'with space',
  '名前',
  'emoji-😀',
  'a+b&c=d',
  'delete',
  'update',
  'Case',
];
const DAY_MS = 86_400_000;

const notFoundBody = (label: 'User' | 'Account', id: string) => ({
  externalapierror: {
    status: 'NOT_FOUND',
    message: `${label} was not found for parameters {id=${id}}`,
    debugMessage: null,
    subErrors: null,
  },
});

describe('deletes', () => {
  let px: EmulatorHandle;
  let call: Call;
  const manual = manualClocks();
  before(async () => {
    px = await startEmulator({ rateLimit: false }, manual.clocks);
    call = client(px);
  });
  after(() => px.close());
  const byBody = (identifyId: unknown, query = '') =>
    call('DELETE', `/v1/users/delete${query}`, { identifyId });
  const create = async (id: string, extra: Record<string, unknown> = {}) =>
    assert.equal((await call('POST', '/v1/users', user(id, extra))).status, 201, id);

  it('odd ids: deleted by path (percent-encoded) and by body, each exactly that user', async () => {
    for (const id of ODD_IDS) await create(id);
    await create('a');
    for (const [i, id] of ODD_IDS.entries()) {
      const reply = i % 2 === 0 ? await call('DELETE', path('/v1/users', id)) : await byBody(id);
      assert.equal(reply.status, 204, id);
      assert.equal((await call('GET', path('/v1/users', id))).status, 404, id);
    }
    assert.equal((await call('GET', '/v1/users/a')).status, 200, 'no other user went');
    assert.equal(px.stats().deleted.users, ODD_IDS.length);
  });

  it("an absent id answers 404 with PX's record-not-found body, by path and by body", async () => {
    for (const id of ['nobody', 'a/b?c#d é']) {
      assert.deepEqual((await call('DELETE', path('/v1/users', id))).json, notFoundBody('User', id));
      assert.deepEqual((await byBody(id)).json, notFoundBody('User', id));
    }
    assert.deepEqual(
      (await call('DELETE', path('/v1/accounts', 'no/acc'))).json,
      notFoundBody('Account', 'no/acc'),
    );
  });

  it('the body variant needs exactly {identifyId}: anything else is a 400', async () => {
    for (const body of [
      '',
      'not json',
      '[]',
      '{}',
      '{"identifyId":""}',
      '{"identifyId":7}',
      '{"identifyId":"a","x":1}',
    ]) {
      const reply = await call('DELETE', '/v1/users/delete', body);
      assert.equal(reply.status, 400, body);
    }
    assert.equal((await call('GET', '/v1/users/a')).status, 200);
    assert.equal((await byBody('a', '?hardDelete=maybe')).status, 400);
  });

  it('a soft-deleted user is absent for GET, lists, PUT and preferences', async () => {
    await create('soft', { email: 's@x.y' });
    assert.equal((await call('DELETE', '/v1/users/soft?hardDelete=false')).status, 204);
    assert.equal((await call('GET', '/v1/users/soft')).status, 404);
    assert.equal((await call('PUT', '/v1/users/soft', { email: 'n@x.y' })).status, 404);
    assert.equal((await call('PUT', '/v1/users/update', { identifyId: 'soft', email: 'n@x.y' })).status, 404);
    assert.equal((await call('PUT', '/v1/user/preferences/soft', { trackUsage: true })).status, 404);
    assert.equal((await call('DELETE', '/v1/users/soft')).status, 404);
    const listed = await call(
      'GET',
      `/v1/users?pageSize=100&filter=${encodeURIComponent('identifyId==soft')}`,
    );
    assert.equal(listed.json.totalHits, 0);
  });

  it('a soft-deleted user created again within the window comes back with its history', async () => {
    manual.at(0);
    const first = (await call('POST', '/v1/users', user('rev', { email: 'old@x.y', firstName: 'Ann' }))).json;
    manual.at(DAY_MS);
    assert.equal((await byBody('rev')).status, 204);
    manual.at(DAY_MS + 7 * DAY_MS - 1);
    const back = await call('POST', '/v1/users', user('rev', { email: 'new@x.y' }));
    assert.equal(back.status, 201);
    assert.equal(back.json.firstName, 'Ann', 'its old fields');
    assert.equal(back.json.email, 'new@x.y', "the create's fields over them");
    assert.equal(back.json.aptrinsicId, first.aptrinsicId, 'the same PX record');
    assert.equal(back.json.createDate, first.createDate);
    assert.equal(back.json.deleted, undefined);
    assert.equal((await call('GET', '/v1/users/rev')).json.firstName, 'Ann');
    assert.equal(px.stats().revived.users, 1);
  });

  it('after the window, or after a hard delete, a create makes a fresh record', async () => {
    const start = 100 * DAY_MS;
    manual.at(start);
    await create('late', { firstName: 'Old' });
    await create('hard', { firstName: 'Old' });
    assert.equal((await call('DELETE', '/v1/users/late')).status, 204);
    assert.equal((await call('DELETE', '/v1/users/hard?hardDelete=true')).status, 204);
    assert.equal((await byBody('nobody', '?hardDelete=true')).status, 404);
    manual.at(start + 7 * DAY_MS);
    const late = await call('POST', '/v1/users', user('late'));
    assert.equal(late.status, 201);
    assert.equal(late.json.firstName, undefined, '7 days later: gone for good');
    const hard = await call('POST', '/v1/users', user('hard'));
    assert.equal(hard.json.firstName, undefined, 'a hard delete never revives');
    const kept = await dump(px, 'users', '&includeDeleted=true');
    assert.equal(
      kept.filter((u) => u.identifyId === 'late' || u.identifyId === 'hard').length,
      2,
      'no stale copy kept',
    );
    assert.ok(px.stats().deleted.hardUsers >= 1);
  });

  it('soft-deleted users are forgotten once the window has passed (memory)', async () => {
    const start = 200 * DAY_MS;
    manual.at(start);
    await create('old1');
    await call('DELETE', '/v1/users/old1');
    manual.at(start + 8 * DAY_MS);
    await create('old2');
    await call('DELETE', '/v1/users/old2');
    const deleted = (await dump(px, 'users', '&includeDeleted=true')).filter((u) => u.deleted === true);
    assert.deepEqual(
      deleted.map((u) => u.identifyId),
      ['old2'],
    );
  });

  it('configure({ reviveWindowSec }) changes the window: 0 never revives', async () => {
    px.configure({ reviveWindowSec: 0 });
    try {
      await create('zero', { firstName: 'Old' });
      await call('DELETE', '/v1/users/zero');
      assert.equal((await call('POST', '/v1/users', user('zero'))).json.firstName, undefined);
    } finally {
      px.configure({ reviveWindowSec: 7 * 86_400 });
    }
  });
});

describe('account deletes cascade', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({ rateLimit: false });
    call = client(px);
  });
  after(() => px.close());

  it('deleting an account deletes the users whose accountId it is, and counts them; they revive like any user', async () => {
    const acc = 'acc/1?#é';
    assert.equal((await call('POST', '/v1/accounts', account(acc))).status, 201);
    assert.equal((await call('POST', '/v1/accounts', account('other'))).status, 201);
    for (const id of ['in1', 'in2'])
      await call('POST', '/v1/users', user(id, { accountId: acc, firstName: id }));
    await call('POST', '/v1/users', user('out', { accountId: 'other' }));
    await call('POST', '/v1/users', user('none'));
    assert.equal((await call('DELETE', path('/v1/accounts', acc))).status, 204);
    assert.equal((await call('GET', path('/v1/accounts', acc))).status, 404);
    for (const id of ['in1', 'in2']) assert.equal((await call('GET', `/v1/users/${id}`)).status, 404);
    for (const id of ['out', 'none']) assert.equal((await call('GET', `/v1/users/${id}`)).status, 200);
    assert.deepEqual(px.stats().deleted, { users: 2, accounts: 1, cascadedUsers: 2, hardUsers: 0 });
    assert.equal((await call('DELETE', path('/v1/accounts', acc))).status, 404);
    const back = await call('POST', '/v1/users', user('in1'));
    assert.equal(back.json.firstName, 'in1', 'a cascaded user is soft-deleted');
    const account2 = await call('POST', '/v1/accounts', account(acc));
    assert.equal(account2.status, 201, 'an account id can be created again');
    assert.equal(px.stats().byRoute['DELETE /v1/accounts/{id}']?.['204'], 1);
  });
});
