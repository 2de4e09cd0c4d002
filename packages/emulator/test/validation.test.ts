import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { account, type Call, client, user } from './client.js';

const CUSTOM = {
  user: [
    { apiName: 'plan', type: 'STRING' as const },
    { apiName: 'seats', type: 'NUMBER' as const },
    { apiName: 'trial', type: 'BOOLEAN' as const },
    { apiName: 'renewedAt', type: 'DATE_TIME' as const },
    { apiName: 'legacy', type: 'STRING' as const, state: 'DISABLED' as const },
    { apiName: 'gone', type: 'STRING' as const, state: 'DELETED' as const },
  ],
};

/** [case, method, path, body, pattern expected in subErrors[0].message] */
const BAD_BODIES: Array<[string, string, string, unknown, RegExp]> = [
  ['invalid JSON', 'POST', '/v1/users', '{"identifyId": "u1",', /malformed json/i],
  ['not an object', 'POST', '/v1/users', '[1, 2]', /JSON object/],
  [
    'missing identifyId on create',
    'POST',
    '/v1/users',
    { propertyKeys: ['AP-1'] },
    /identifyId: is required/,
  ],
  ['missing propertyKeys on create', 'POST', '/v1/users', { identifyId: 'u9' }, /propertyKeys: is required/],
  [
    'missing id on account create',
    'POST',
    '/v1/accounts',
    { name: 'A', propertyKeys: ['AP-1'] },
    /^id: is required/,
  ],
  [
    'missing name on account create',
    'POST',
    '/v1/accounts',
    { id: 'a9', propertyKeys: ['AP-1'] },
    /name: is required/,
  ],
  [
    'missing propertyKeys on account create',
    'POST',
    '/v1/accounts',
    { id: 'a9', name: 'A' },
    /propertyKeys: is required/,
  ],
  [
    'read-only field on create',
    'POST',
    '/v1/users',
    { identifyId: 'u9', propertyKeys: ['AP-1'], lastModifiedDate: 1 },
    /lastModifiedDate: is read-only/,
  ],
  [
    'ISO string for an account date',
    'PUT',
    '/v1/accounts/a1',
    { renewalDate: '2025-01-01T00:00:00Z' },
    /renewalDate: expected a date as epoch milliseconds/,
  ],
  ['fraction for a date', 'PUT', '/v1/users/u1', { firstVisitDate: 1.5 }, /whole epoch milliseconds/],
  [
    'ISO string for a DATE_TIME custom attribute',
    'PUT',
    '/v1/users/u1',
    { customAttributes: { renewedAt: '2024-01-01' } },
    /renewedAt: expected a date/,
  ],
  ['string for an integer', 'PUT', '/v1/users/u1', { score: '42' }, /score: expected an integer/],
  ['fraction for an integer', 'PUT', '/v1/users/u1', { score: 4.5 }, /score: expected an integer/],
  ['string for a boolean', 'PUT', '/v1/users/u1', { globalUnsubscribe: 'true' }, /expected a boolean/],
  [
    'ISO string for a date',
    'PUT',
    '/v1/users/u1',
    { signUpDate: '2024-01-01' },
    /signUpDate: expected a date/,
  ],
  ['string for a number', 'PUT', '/v1/accounts/a1', { nps: '7' }, /nps: expected a number/],
  ['number for a string', 'PUT', '/v1/users/u1', { email: 42 }, /email: expected a string/],
  ['null value', 'PUT', '/v1/users/u1', { email: null }, /email: expected a string, got null/],
  [
    'string for coordinates',
    'PUT',
    '/v1/users/u1',
    { location: { coordinates: { latitude: '1.5' } } },
    /latitude/,
  ],
  [
    'unknown location field',
    'PUT',
    '/v1/users/u1',
    { location: { planet: 'Mars' } },
    /location.planet: unknown/,
  ],
  [
    'unknown custom attribute',
    'PUT',
    '/v1/users/u1',
    { customAttributes: { nope: 'x' } },
    /nope: unknown custom/,
  ],
  ['DISABLED custom attribute', 'PUT', '/v1/users/u1', { customAttributes: { legacy: 'x' } }, /DISABLED/],
  ['DELETED custom attribute', 'PUT', '/v1/users/u1', { customAttributes: { gone: 'x' } }, /DELETED/],
  [
    'wrong custom type',
    'PUT',
    '/v1/users/u1',
    { customAttributes: { seats: 'ten' } },
    /seats: expected a number/,
  ],
  ['read-only aptrinsicId', 'PUT', '/v1/users/u1', { aptrinsicId: 'x' }, /aptrinsicId: is read-only/],
  ['read-only createDate', 'PUT', '/v1/users/u1', { createDate: 1 }, /createDate: is read-only/],
  ['read-only numberOfVisits', 'PUT', '/v1/users/u1', { numberOfVisits: 3 }, /numberOfVisits: is read-only/],
  ['read-only user lastSeenDate', 'PUT', '/v1/users/u1', { lastSeenDate: 1 }, /lastSeenDate: is read-only/],
  ['read-only numberOfUsers', 'PUT', '/v1/accounts/a1', { numberOfUsers: 3 }, /numberOfUsers: is read-only/],
  ['unknown top-level field', 'PUT', '/v1/users/u1', { favouriteColour: 'red' }, /favouriteColour: unknown/],
  ['enum outside its set (type)', 'PUT', '/v1/users/u1', { type: 'BOSS' }, /type: "BOSS" is not one of/],
  [
    'enum outside its set (gender)',
    'PUT',
    '/v1/users/u1',
    { gender: 'male' },
    /gender: "male" is not one of/,
  ],
  [
    'propertyKeys not an array',
    'POST',
    '/v1/users',
    { identifyId: 'u9', propertyKeys: 'AP-1' },
    /array of strings/,
  ],
];

describe('400 with subErrors for every kind of bad body', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({ rateLimit: false, customAttributes: CUSTOM });
    call = client(px);
    await call('POST', '/v1/users', user('u1'));
    await call('POST', '/v1/accounts', account('a1'));
  });
  after(() => px.close());

  for (const [name, method, path, body, pattern] of BAD_BODIES) {
    it(name, async () => {
      const reply = await call(method, path, body);
      assert.equal(reply.status, 400, reply.text);
      const error = reply.json.externalapierror;
      assert.equal(error.status, 'BAD_REQUEST');
      assert.equal(typeof error.message, 'string');
      assert.ok(Array.isArray(error.subErrors) && error.subErrors.length > 0);
      assert.match(error.subErrors[0].message, pattern);
    });
  }

  it('a refused update changes nothing', async () => {
    await call('PUT', '/v1/users/u1', { email: 'kept@x.y' });
    assert.equal((await call('PUT', '/v1/users/u1', { email: 'new@x.y', score: 'x' })).status, 400);
    assert.equal((await call('GET', '/v1/users/u1')).json.email, 'kept@x.y');
  });

  it('every problem of a body is listed', async () => {
    const reply = await call('PUT', '/v1/users/u1', { score: 'x', foo: 1, createDate: 2 });
    assert.equal(reply.json.externalapierror.subErrors.length, 3);
  });

  it('good values of every custom type are accepted', async () => {
    const values = { plan: 'gold', seats: 10.5, trial: false, renewedAt: 1_700_000_000_000 };
    assert.equal((await call('PUT', '/v1/users/u1', { customAttributes: values })).status, 204);
    assert.deepEqual((await call('GET', '/v1/users/u1')).json.customAttributes, values);
  });
});

describe('acceptStringTypes: numbers and booleans as strings, like real PX', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({ rateLimit: false, acceptStringTypes: true, customAttributes: CUSTOM });
    call = client(px);
  });
  after(() => px.close());

  it('converts "42.0", "true" and epoch strings, and stores real types', async () => {
    const body = user('s1', {
      score: '42.0',
      globalUnsubscribe: 'true',
      signUpDate: '1700000000000',
      location: { coordinates: { latitude: '48.85', longitude: '2.35' } },
      customAttributes: { seats: '3', trial: 'false' },
    });
    const created = await call('POST', '/v1/users', body);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.score, 42);
    assert.equal(created.json.globalUnsubscribe, true);
    assert.equal(created.json.signUpDate, 1_700_000_000_000);
    assert.deepEqual(created.json.location.coordinates, { latitude: 48.85, longitude: 2.35 });
    assert.deepEqual(created.json.customAttributes, { seats: 3, trial: false });
  });

  it('still refuses strings that are not numbers or booleans', async () => {
    assert.equal((await call('PUT', '/v1/users/s1', { score: 'forty' })).status, 400);
    assert.equal((await call('PUT', '/v1/users/s1', { globalUnsubscribe: 'yes' })).status, 400);
  });
});
