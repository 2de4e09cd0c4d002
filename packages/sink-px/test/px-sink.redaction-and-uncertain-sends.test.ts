/**
 * Regressions found auditing issue 5 (the rate-limited PX sink): each test failed before its fix.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { Transport, TransportError } from '../src/http.js';
import { createPxClient, createPxSink } from '../src/index.js';
import { SECRET_KEY } from './helpers/emulator.js';
import { DUPLICATE, NOT_FOUND, oneRow, ROW_EMAIL, userRecord } from './helpers/one-row.js';
import { load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';

/** Puts the key across the 200th character of the message PX sends back. */
const echoAtTheCut = (prefix: string) => `${prefix}${'x'.repeat(190 - prefix.length)} ${SECRET_KEY} tail`;
const KEY_START = SECRET_KEY.slice(0, 6);

describe('issue 5: the API key is redacted before a message is cut short', () => {
  it('in a row rejection (PX echoes the key near the 200-character cut)', async () => {
    const px = await scripted(() => ({ status: 400, body: pxError('BAD_REQUEST', echoAtTheCut('bad: ')) }));
    try {
      const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER', rate: 100 });
      const result = await load(sink, [userRow(0, 'u')]);
      const message = result.rejections[0]?.message ?? '';
      assert.equal(result.rejections[0]?.code, 'PX_HTTP_400');
      assert.ok(!message.includes(KEY_START), message);
    } finally {
      await px.close();
    }
  });

  it('in a metadata error and in the daily-quota stop (wait: false)', async () => {
    const px = await scripted((request) =>
      request.method === 'GET'
        ? { status: 404, body: { errorMessage: echoAtTheCut('No route ') } }
        : { status: 429, body: pxError('TOO_MANY_REQUESTS', echoAtTheCut('Daily quota exceeded ')) },
    );
    try {
      const client = createPxClient({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, maxAttempts: 1 });
      const metadata = await client.getAttributeMetadata('user').catch((error: Error) => error);
      client.close();
      assert.equal((metadata as { code?: string }).code, 'PX_WRONG_BASE_URL');
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 100,
        wait: false,
      });
      const quota = await load(sink, [userRow(0, 'u')]).catch((error: Error) => error);
      assert.equal((quota as { code?: string }).code, 'PX_DAILY_QUOTA');
      for (const error of [metadata, quota]) {
        assert.ok(!String((error as Error).message).includes(KEY_START), String(error));
      }
    } finally {
      await px.close();
    }
  });
});

describe('issue 5: a create that may be ours is settled on what PX holds', () => {
  it("lost POST answer, the read-back finds someone else's record: one more PUT applies the row (updated)", async () => {
    const theirs = userRecord({ email: 'theirs@example.com' });
    const run = await oneRow([NOT_FOUND, { status: 0 }, theirs, { status: 204 }]);
    assert.deepEqual(run.requests, [
      'PUT /v1/users/u',
      'POST /v1/users',
      'GET /v1/users/u',
      'PUT /v1/users/u',
    ]);
    assert.equal(run.outcome?.outcome, 'updated');
    assert.equal(JSON.parse(run.seen[3]!.body).email, ROW_EMAIL, 'the row reached PX');
  });

  it("a duplicate after our 500, the record is someone else's: read back, one more PUT (updated)", async () => {
    const run = await oneRow([
      NOT_FOUND,
      { status: 500, body: pxError('INTERNAL_SERVER_ERROR', 'boom') },
      DUPLICATE,
      userRecord({ email: 'theirs@example.com' }),
      { status: 204 },
    ]);
    assert.deepEqual(run.requests, [
      'PUT /v1/users/u',
      'POST /v1/users',
      'POST /v1/users',
      'GET /v1/users/u',
      'PUT /v1/users/u',
    ]);
    assert.equal(run.outcome?.outcome, 'updated');
    assert.equal(JSON.parse(run.seen[4]!.body).email, ROW_EMAIL);
  });
});

/** A ClientRequest stand-in: hands over a socket (reused or new), then fails with `code`. */
class FailingRequest extends EventEmitter {
  constructor(
    readonly reusedSocket: boolean,
    private readonly connects: boolean,
    private readonly code: string,
  ) {
    super();
  }
  end(): void {
    setImmediate(() => {
      const socket = new EventEmitter();
      this.emit('socket', socket);
      if (this.connects) socket.emit('connect');
      setImmediate(() =>
        this.emit('error', Object.assign(new Error(`read ${this.code}`), { code: this.code })),
      );
    });
  }
  destroy(): void {}
}

describe('issue 5: a connection error counts as "nothing sent" only before the connection was up', () => {
  const cases: Array<[string, boolean, boolean, string, 'connect' | 'reset', boolean]> = [
    ['refused, never connected', false, false, 'ECONNREFUSED', 'connect', false],
    ['EHOSTUNREACH on a kept-alive connection', true, true, 'EHOSTUNREACH', 'reset', true],
    ['ENETUNREACH after a new connection was up', false, true, 'ENETUNREACH', 'reset', true],
    ['ECONNRESET on a kept-alive connection', true, true, 'ECONNRESET', 'reset', true],
  ];
  for (const [name, reused, connects, code, kind, sent] of cases) {
    it(`${name}: ${kind}, request ${sent ? 'maybe sent' : 'not sent'}`, async () => {
      const transport = new Transport({
        baseUrl: 'http://127.0.0.1:9/v1',
        apiKey: SECRET_KEY,
        maxSockets: 1,
      });
      (transport as unknown as { send: () => FailingRequest }).send = () =>
        new FailingRequest(reused, connects, code);
      const error = await transport
        .request({ method: 'POST', path: '/events/custom', body: '{}', timeoutMs: 5000 })
        .catch((e: unknown) => e);
      transport.close();
      assert.ok(error instanceof TransportError, String(error));
      assert.equal(error.kind, kind);
      assert.equal(error.requestSent, sent, 'a custom event is retried only when it surely was not sent');
    });
  }
});
