/**
 * A 403 names the permission the key lacks (px-api.md "Permissions": separate Read and Write):
 * write for a write, read for a read, with the type and PX's own message. Still PX_AUTH_FAILED,
 * fatal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPxClient, createPxSink } from '../src/index.js';
import { SECRET_KEY } from './helpers/emulator.js';
import { load, row, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';

const forbidden = (message: string) => ({ status: 403, body: pxError('FORBIDDEN', message) });

describe('px sink: 403 says which permission the key lacks', () => {
  for (const [type, input, subject] of [
    ['USER', userRow(0, 'u1'), 'users'],
    ['ACCOUNT', row(0, 'a1', { id: 'a1', name: 'A' }), 'accounts'],
    ['CUSTOM_EVENT', row(0, undefined, { eventName: 'e', identifyId: 'u1', date: 1 }), 'custom events'],
    ['USER_PREFERENCES', row(0, 'u1', { subscriptionSettings: {} }), 'user preferences'],
  ] as const) {
    it(`a write of ${type}: "lacks write permission for ${subject}", quoting PX`, async () => {
      const px = await scripted(() => forbidden('Access denied for this API key'));
      try {
        const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type, rate: 100 });
        await assert.rejects(
          load(sink, [input]),
          (error: { code: string; status: number; fatal: boolean; message: string }) => {
            assert.equal(error.code, 'PX_AUTH_FAILED');
            assert.equal(error.status, 403);
            assert.equal(error.fatal, true);
            assert.equal(
              error.message,
              `the API key lacks write permission for ${subject}: PX answered HTTP 403 to a write ` +
                `(${px.seen[0]!.method}) at ${px.baseUrl} ("Access denied for this API key"). Give the key ` +
                'the Write permission (PX: Settings, REST API), or use a key that has it',
            );
            return true;
          },
        );
      } finally {
        await px.close();
      }
    });
  }

  it('the attribute metadata read: "lacks read permission", a gateway\'s HTML title quoted', async () => {
    const px = await scripted(() => ({
      status: 403,
      headers: { 'content-type': 'text/html' },
      body: `<html><head><title>403 Forbidden</title></head><body>${SECRET_KEY}</body></html>`,
    }));
    try {
      const client = createPxClient({ baseUrl: px.baseUrl, apiKey: SECRET_KEY });
      await assert.rejects(client.getAttributeMetadata('account'), {
        code: 'PX_AUTH_FAILED',
        status: 403,
        message:
          `the API key lacks read permission for the account attribute metadata: PX answered HTTP 403 ` +
          `to a read (GET) at ${px.baseUrl} ("403 Forbidden"). Give the key the Read permission ` +
          '(PX: Settings, REST API), or use a key that has it',
      });
      client.close();
    } finally {
      await px.close();
    }
  });

  it('a record read (GET /users/{id}): read permission for users', async () => {
    const px = await scripted(() => forbidden('Read access denied'));
    try {
      const client = createPxClient({ baseUrl: px.baseUrl, apiKey: SECRET_KEY });
      await assert.rejects(client.getRecord('USER', 'u1'), {
        code: 'PX_AUTH_FAILED',
        message: /^the API key lacks read permission for users: .*\("Read access denied"\)/,
      });
      client.close();
    } finally {
      await px.close();
    }
  });

  it('401 keeps its message: the key is refused', async () => {
    const px = await scripted(() => ({ status: 401, body: pxError('UNAUTHORIZED', 'Invalid API key') }));
    try {
      const client = createPxClient({ baseUrl: px.baseUrl, apiKey: SECRET_KEY });
      await assert.rejects(client.getRecord('USER', 'u1'), {
        code: 'PX_AUTH_FAILED',
        status: 401,
        message: `PX rejected the API key (HTTP 401) at ${px.baseUrl}`,
      });
      client.close();
    } finally {
      await px.close();
    }
  });
});
