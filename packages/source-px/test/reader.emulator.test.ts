/**
 * The reader through the sink's client, over real sockets to the emulator: pages of 1,000,
 * filters as PX takes them, a scroll that expires while the consumer is away.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JsonObject } from '@pxstream/core';
import { createPxClient, type PxClient } from '@pxstream/sink-px';
import { type EmulatorHandle, startEmulator } from '../../emulator/src/index.js';
import { readPxRecords } from '../src/index.js';

const KEY = 'pxk-source-px-SECRET-5b2c';
const COUNT = 2500;
const users = Array.from({ length: COUNT }, (_, i) => ({
  identifyId: `user-${String(i).padStart(5, '0')}`,
  propertyKeys: ['AP-TEST000000-2'],
  email: `person${i}@${i % 5 === 0 ? 'acme.com' : 'example.com'}`,
  score: i % 100,
}));

async function seed(px: EmulatorHandle, records: object[]): Promise<void> {
  const response = await fetch(`${px.url}/__emulator/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ users: records }),
  });
  assert.equal(response.status < 300, true, await response.text());
}

const listRequests = (px: EmulatorHandle) =>
  Object.values(px.stats().byRoute['GET /v1/users'] ?? {}).reduce((sum, n) => sum + n, 0);

describe('readPxRecords over the emulator', () => {
  let px: EmulatorHandle;
  let client: PxClient;
  before(async () => {
    px = await startEmulator({ apiKeys: [KEY], rateLimit: false });
    await seed(px, users);
    client = createPxClient({ baseUrl: px.baseUrl, apiKey: KEY, timeoutMs: 5000 });
  });
  after(async () => {
    client.close();
    await px.close();
  });

  it('reads every user once, sorted by identifyId, in ceil(n / 1000) requests', async () => {
    const before = listRequests(px);
    const ids: string[] = [];
    for await (const user of readPxRecords({ client, type: 'USER' })) ids.push(user.identifyId as string);
    assert.deepEqual(
      ids,
      users.map((u) => u.identifyId),
    );
    assert.equal(listRequests(px) - before, 3);
  });

  it('passes filters: `;` for AND, several for OR', async () => {
    const read = async (filters: string[]) => {
      const out: JsonObject[] = [];
      for await (const user of readPxRecords({ client, type: 'USER', filters })) out.push(user);
      return out;
    };
    const acme = await read(['email~*@acme.com;score<10']);
    assert.deepEqual(
      acme.map((u) => u.identifyId),
      users.filter((u) => u.email.endsWith('@acme.com') && u.score < 10).map((u) => u.identifyId),
    );
    const either = await read(['identifyId==user-00007', 'identifyId==user-02001']);
    assert.deepEqual(
      either.map((u) => u.identifyId),
      ['user-00007', 'user-02001'],
    );
  });

  it('a scroll that expires mid-read is started again: every user once', async () => {
    const ids: string[] = [];
    // The scroll's life cut to 1 ms once the read is under way (a page turn takes longer),
    // given back its 60 s at the restart.
    const reader = readPxRecords({
      client,
      type: 'USER',
      onRestart: () => px.configure({ scrollTtlSec: 60 }),
    });
    for await (const user of reader) {
      ids.push(user.identifyId as string);
      if (ids.length === 1) px.configure({ scrollTtlSec: 0.001 });
    }
    assert.equal(reader.stats().restarts, 1);
    assert.deepEqual(
      ids,
      users.map((u) => u.identifyId),
    );
  });
});
