/**
 * A read cut into ranges of `createDate` over the peer PX (bench/src/peer-px, written from
 * px-api.md alone): its scroll is stateful and loses answers, so each range restarts on its own
 * past its last key; records without `createDate` make the ranges' counts fall short of the
 * whole read's, and one scroll reads it all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPxClient } from '@pxstream/sink-px';
import { type Peer, startPeer } from '../../../bench/src/peer-px/server.js';
import { type PxPartitionEvent, readPxRecords } from '../src/index.js';

const KEY = 'pxk-source-px-peer-partition-SECRET';
const COUNT = 600;
const ids = Array.from(
  { length: COUNT },
  (_, i) => `${['user-', 'User-', 'u/?#-'][i % 3]}${String(i).padStart(4, '0')}`,
);

async function readWith(peer: Peer) {
  const client = createPxClient({
    baseUrl: `${peer.url}/v1`,
    apiKey: KEY,
    backoffBaseMs: 1,
    backoffCapMs: 5,
  });
  try {
    const read: string[] = [];
    let partition: PxPartitionEvent | undefined;
    const reader = readPxRecords({
      client,
      type: 'USER',
      pageSize: 40,
      scrolls: 4,
      partitionMinRecords: 100,
      onPartition: (event) => (partition = event),
    });
    for await (const user of reader) read.push(user.identifyId as string);
    return { read, partition, stats: reader.stats() };
  } finally {
    client.close();
  }
}

async function seeded(options: { resetAfter?: number }, dated: (i: number) => boolean): Promise<Peer> {
  const peer = await startPeer({ key: KEY, perSecond: 100_000, shape: 'bucket', seed: 5, ...options });
  const users = ids.map((identifyId, i) => ({
    identifyId,
    propertyKeys: ['AP-PEER-1'],
    // `null`: the peer keeps it (it stamps a seeded record lacking one with the time).
    createDate: dated(i) ? 1_700_000_000_000 + i * 10 : null,
  }));
  const answer = await fetch(`${peer.url}/_peer/seed`, { method: 'POST', body: JSON.stringify({ users }) });
  assert.equal(answer.status, 200);
  return peer;
}

describe('readPxRecords in ranges over the peer PX', () => {
  let lossy: Peer;
  let undated: Peer;
  before(async () => {
    // One answer in five lost after the peer served it: every range restarts now and then.
    lossy = await seeded({ resetAfter: 0.2 }, () => true);
    // One user in a hundred without a createDate: no range holds it.
    undated = await seeded({}, (i) => i % 100 !== 42);
  });
  after(async () => {
    await lossy.close();
    await undated.close();
  });

  it('a stateful scroll that loses answers: every user once, each range restarted on its own', async () => {
    const { read, partition, stats } = await readWith(lossy);
    assert.equal(partition?.scrolls, 4);
    assert.ok(stats.restarts >= 2, `answers were lost (${stats.restarts} restarts)`);
    assert.equal(new Set(read).size, read.length, 'no user twice');
    assert.deepEqual([...read].sort(), [...ids].sort(), 'no user left out');
  });

  it("users without createDate: the ranges' counts fall short, one scroll reads every user", async () => {
    const { read, partition, stats } = await readWith(undated);
    assert.equal(partition?.single, 'unequal');
    assert.equal(
      partition?.ranges.reduce((sum, n) => sum + n, 0),
      COUNT - 6,
    );
    assert.equal(stats.scrolls, 1);
    assert.equal(new Set(read).size, read.length, 'no user twice');
    assert.deepEqual([...read].sort(), [...ids].sort(), 'no user left out');
  });
});
