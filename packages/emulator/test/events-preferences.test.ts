import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { type Call, client, dump, user } from './client.js';

describe('custom events and user preferences', () => {
  let px: EmulatorHandle;
  let call: Call;
  before(async () => {
    px = await startEmulator({ rateLimit: false });
    call = client(px);
  });
  beforeEach(() => px.reset());
  after(() => px.close());

  const event = {
    identifyId: 'u1',
    eventName: 'signup',
    date: 1_700_000_000_000,
    accountId: 'acc1',
    url: 'https://x.y/z',
    referrer: 'https://r.s',
    remoteHost: '10.0.0.1',
    attributes: { plan: 'gold', seats: 3 },
    userType: 'USER',
    propertyKey: 'AP-TEST-1',
  };

  it('POST /v1/events/custom answers 201 and appends, duplicates included', async () => {
    assert.equal((await call('POST', '/v1/events/custom', event)).status, 201);
    assert.equal((await call('POST', '/v1/events/custom', event)).status, 201);
    const events = await dump(px, 'events');
    assert.equal(events.length, 2);
    assert.deepEqual(events[0], event);
    assert.equal(px.stats().created.events, 2);
    assert.equal(px.stats().records.events, 2);
  });

  it('bad events answer 400 with subErrors', async () => {
    const cases: unknown[] = [
      { eventName: 'x' },
      { identifyId: 'u1' },
      { ...event, date: '2024-01-01' },
      { ...event, attributes: 'nope' },
      { ...event, extra: 1 },
      { ...event, userType: 'ALIEN' },
    ];
    for (const body of cases) {
      const reply = await call('POST', '/v1/events/custom', body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.ok(reply.json.externalapierror.subErrors.length > 0);
    }
    assert.equal((await dump(px, 'events')).length, 0);
  });

  it('PUT /v1/user/preferences/{id}: 204 for a user, merged, readable in the dump', async () => {
    await call('POST', '/v1/users', user('a/b é'));
    const path = `/v1/user/preferences/${encodeURIComponent('a/b é')}`;
    assert.equal((await call('PUT', path, { trackUsage: true, surveys: false })).status, 204);
    assert.equal((await call('PUT', path, { surveys: true, onboardingBot: false })).status, 204);
    assert.deepEqual(await dump(px, 'preferences'), [
      { identifyId: 'a/b é', trackUsage: true, surveys: true, onboardingBot: false },
    ]);
  });

  it('preferences: 404 for an unknown user, 400 for a non-boolean or unknown field', async () => {
    const absent = await call('PUT', '/v1/user/preferences/nobody', { guidedTours: true });
    assert.equal(absent.status, 404);
    assert.equal(absent.json.externalapierror.message, 'User was not found for parameters {id=nobody}');
    await call('POST', '/v1/users', user('u1'));
    assert.equal((await call('PUT', '/v1/user/preferences/u1', { productUpdates: 'yes' })).status, 400);
    assert.equal((await call('PUT', '/v1/user/preferences/u1', { newsletter: true })).status, 400);
  });
});
