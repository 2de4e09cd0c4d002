import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { type Call, client } from './client.js';

interface Attribute {
  name: string;
  apiName: string;
  type: string;
  origin: string;
  state: string;
}

describe('attribute metadata', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({
      rateLimit: false,
      customAttributes: {
        user: [
          { apiName: 'plan', type: 'STRING', name: 'Plan' },
          { apiName: 'old', type: 'NUMBER', state: 'DISABLED' },
        ],
        account: [{ apiName: 'tier', type: 'DATE_TIME' }],
      },
    });
    call = client(px);
  });
  after(() => px.close());

  it('users: default model with PX quirks plus custom attributes', async () => {
    const reply = await call('GET', '/v1/admin/model/user/attributes');
    assert.equal(reply.status, 200);
    const list = reply.json as Attribute[];
    const by = new Map(list.map((a) => [a.apiName, a]));
    assert.deepEqual(by.get('id'), {
      name: 'Identify ID',
      apiName: 'id',
      type: 'STRING',
      origin: 'DEFAULT',
      state: 'ENABLED',
    });
    assert.equal(by.has('identifyId'), false);
    assert.equal(by.get('score')?.type, 'NUMBER');
    assert.equal(by.get('signUpDate')?.type, 'DATE_TIME');
    assert.equal(by.get('city')?.type, 'STRING');
    assert.equal(by.get('latitude')?.type, 'NUMBER');
    assert.equal(
      list.some((a) => a.apiName.startsWith('location.')),
      false,
    );
    assert.equal(by.has('sfdcContactId'), false);
    assert.equal(by.has('globalUnsubscribe'), false);
    assert.deepEqual(by.get('plan'), {
      name: 'Plan',
      apiName: 'plan',
      type: 'STRING',
      origin: 'CUSTOM',
      state: 'ENABLED',
    });
    assert.equal(by.get('old')?.state, 'DISABLED');
    for (const a of list)
      assert.deepEqual(Object.keys(a).sort(), ['apiName', 'name', 'origin', 'state', 'type']);
  });

  it('sfdcContactId and globalUnsubscribe are writable though not listed', async () => {
    const body = { identifyId: 'u1', propertyKeys: ['AP-1'], sfdcContactId: '003X', globalUnsubscribe: true };
    assert.equal((await call('POST', '/v1/users', body)).status, 201);
  });

  it('accounts: default model plus custom attributes', async () => {
    const list = (await call('GET', '/v1/admin/model/account/attributes')).json as Attribute[];
    const by = new Map(list.map((a) => [a.apiName, a]));
    assert.equal(by.get('id')?.origin, 'DEFAULT');
    assert.equal(by.get('name')?.type, 'STRING');
    assert.equal(by.get('numberOfEmployees')?.type, 'NUMBER');
    assert.equal(by.get('renewalDate')?.type, 'DATE_TIME');
    assert.deepEqual(by.get('tier'), {
      name: 'tier',
      apiName: 'tier',
      type: 'DATE_TIME',
      origin: 'CUSTOM',
      state: 'ENABLED',
    });
  });

  it('needs the API key', async () => {
    assert.equal((await client(px, null)('GET', '/v1/admin/model/user/attributes')).status, 401);
  });
});
