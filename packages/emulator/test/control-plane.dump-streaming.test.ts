/**
 * The dump is streamed with backpressure: while the client does not read, the emulator stops
 * walking its records (so a million records never sit serialised in memory at once). Proof
 * from outside: a user created while the reader is paused still appears at the end of the
 * dump, which a dump serialised up front could not contain.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { client, user } from './client.js';

const USERS = 30_000;
const FILLER = 'x'.repeat(1000); // about 30 MB of dump: far more than the socket buffers hold

describe('dump streaming', () => {
  let px: EmulatorHandle;
  before(async () => {
    px = await startEmulator({ rateLimit: false });
    const lines = Array.from({ length: USERS }, (_, i) => JSON.stringify(user(`d${i}`, { title: FILLER })));
    const seeded = await fetch(`${px.url}/__emulator/seed?type=users`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: lines.join('\n'),
    });
    assert.deepEqual(await seeded.json(), { users: USERS, accounts: 0 });
  });
  after(() => px.close());

  it('stops walking the records while the reader is paused, and resumes on drain', async () => {
    const req = request(`${px.url}/__emulator/dump?type=users`);
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    assert.equal(res.statusCode, 200);
    // No reader yet: the socket fills up and the emulator must wait for 'drain'.
    await sleep(300);
    assert.equal((await client(px)('POST', '/v1/users', user('late-arrival'))).status, 201);
    let text = '';
    res.setEncoding('utf8');
    for await (const chunk of res) text += chunk;
    const ids = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { identifyId: string }).identifyId);
    assert.equal(ids.length, USERS + 1);
    assert.equal(new Set(ids).size, USERS + 1);
    assert.equal(ids.at(-1), 'late-arrival', 'the walk was still going when the user was created');
  });
});
