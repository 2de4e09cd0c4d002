import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { account, type Call, client, dump, user } from './client.js';

describe('accounts: the API table rows', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({ rateLimit: false });
    call = client(px);
  });
  beforeEach(() => px.reset());
  after(() => px.close());

  it('POST /v1/accounts creates (201), a second time is a 400 duplicate', async () => {
    const created = await call('POST', '/v1/accounts', account('acc1', { numberOfEmployees: 12, nps: 7.5 }));
    assert.equal(created.status, 201);
    assert.equal(created.json.id, 'acc1');
    assert.equal(created.json.nps, 7.5);
    const again = await call('POST', '/v1/accounts', account('acc1'));
    assert.equal(again.status, 400);
    assert.match(again.json.externalapierror.message, /possible duplicate/i);
  });

  it('PUT by path and by body (204), GET (200), partial merge', async () => {
    await call('POST', '/v1/accounts', account('acc1', { industry: 'Retail', location: { city: 'Lyon' } }));
    assert.equal((await call('PUT', '/v1/accounts/acc1', { plan: 'pro' })).status, 204);
    assert.equal(
      (await call('PUT', '/v1/accounts/update', { id: 'acc1', location: { countryCode: 'FR' } })).status,
      204,
    );
    const got = await call('GET', '/v1/accounts/acc1');
    assert.equal(got.status, 200);
    assert.equal(got.json.industry, 'Retail');
    assert.equal(got.json.plan, 'pro');
    assert.deepEqual(got.json.location, { city: 'Lyon', countryCode: 'FR' });
  });

  it('404 Account body for an absent account', async () => {
    const reply = await call('GET', '/v1/accounts/absent-id');
    assert.equal(reply.status, 404);
    assert.deepEqual(reply.json, {
      externalapierror: {
        status: 'NOT_FOUND',
        message: 'Account was not found for parameters {id=absent-id}',
        debugMessage: null,
        subErrors: null,
      },
    });
    assert.equal((await call('PUT', '/v1/accounts/update', { id: 'absent-id' })).status, 404);
    assert.equal((await call('DELETE', '/v1/accounts/absent-id')).status, 404);
  });

  for (const hard of [false, true]) {
    it(`deleting an account (${hard ? 'hard' : 'soft'}) deletes its users and only them`, async () => {
      await call('POST', '/v1/accounts', account('acc1'));
      await call('POST', '/v1/accounts', account('acc2'));
      await call('POST', '/v1/users', user('in1', { accountId: 'acc1' }));
      await call('POST', '/v1/users', user('in2', { accountId: 'acc1' }));
      await call('POST', '/v1/users', user('out', { accountId: 'acc2' }));
      assert.equal((await call('DELETE', `/v1/accounts/acc1?hardDelete=${hard}`)).status, 204);
      assert.equal((await call('GET', '/v1/accounts/acc1')).status, 404);
      assert.equal((await call('GET', '/v1/users/in1')).status, 404);
      assert.equal((await call('GET', '/v1/users/in2')).status, 404);
      assert.equal((await call('GET', '/v1/users/out')).status, 200);
      assert.deepEqual(px.stats().records, { users: 1, accounts: 1, events: 0, preferences: 0 });
      const kept = await dump(px, 'users', '&includeDeleted=true');
      assert.equal(kept.length, hard ? 1 : 3);
    });
  }
});
