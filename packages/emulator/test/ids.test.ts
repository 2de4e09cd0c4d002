import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { type Call, client, path, user } from './client.js';

const ODD_IDS = [
  'a/b?c#d é',
  '../admin',
  'with space',
  'pct%20literal',
  '名前',
  'emoji-😀',
  'a+b&c=d',
  'Case',
  'case',
];

describe('ids: any character, percent-encoded in paths', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({ rateLimit: false });
    call = client(px);
  });
  after(() => px.close());

  it('PUT /v1/users/a%2Fb%3Fc%23d%20%C3%A9 updates the user "a/b?c#d é"', async () => {
    assert.equal((await call('POST', '/v1/users', user('a/b?c#d é'))).status, 201);
    assert.equal((await call('PUT', '/v1/users/a%2Fb%3Fc%23d%20%C3%A9', { email: 'odd@x.y' })).status, 204);
    const got = await call('GET', '/v1/users/a%2Fb%3Fc%23d%20%C3%A9');
    assert.equal(got.json.identifyId, 'a/b?c#d é');
    assert.equal(got.json.email, 'odd@x.y');
  });

  it('/v1/users/..%2Fadmin is the user "../admin" and nothing else', async () => {
    assert.equal((await call('GET', '/v1/users/..%2Fadmin')).status, 404);
    assert.match(
      (await call('GET', '/v1/users/..%2Fadmin')).json.externalapierror.message,
      /\{id=\.\.\/admin\}/,
    );
    await call('POST', '/v1/users', user('../admin'));
    assert.equal((await call('GET', '/v1/users/..%2Fadmin')).json.identifyId, '../admin');
  });

  it('every odd id round-trips through create, update by path, get and delete', async () => {
    for (const id of ODD_IDS) {
      await call('POST', '/v1/users', user(id));
      assert.equal((await call('PUT', path('/v1/users', id), { title: id })).status, 204, id);
      const got = await call('GET', path('/v1/users', id));
      assert.equal(got.json.identifyId, id);
      assert.equal(got.json.title, id);
    }
    assert.equal((await call('GET', '/v1/users/case')).json.title, 'case', 'ids are case-sensitive');
    for (const id of ODD_IDS) assert.equal((await call('DELETE', path('/v1/users', id))).status, 204, id);
  });

  it('an id pasted raw into the URL reaches another path, as with the PX loader', async () => {
    await call('POST', '/v1/users', user('x/y'));
    await call('POST', '/v1/users', user('p'));
    assert.equal((await call('PUT', '/v1/users/x/y', { email: 'a@b.c' })).status, 404);
    const raw = await call('PUT', '/v1/users/p?q', { email: 'raw@x.y' });
    assert.equal(raw.status, 204);
    assert.equal((await call('GET', '/v1/users/p')).json.email, 'raw@x.y');
    assert.equal((await call('GET', '/v1/users/x%2Fy')).json.email, undefined);
  });

  it('a malformed percent-encoding answers 400', async () => {
    assert.equal((await call('GET', '/v1/users/%E0%A4%A')).status, 400);
  });

  it('odd account ids work the same way', async () => {
    const id = 'acc/1?#é';
    await call('POST', '/v1/accounts', { id, name: 'A', propertyKeys: ['AP-1'] });
    assert.equal((await call('PUT', path('/v1/accounts', id), { plan: 'x' })).status, 204);
    assert.equal((await call('GET', path('/v1/accounts', id))).json.plan, 'x');
  });
});
