/**
 * The reader over real sockets to the peer PX (bench/src/peer-px, written from px-api.md alone),
 * whose scroll is stateful, as an Elasticsearch scroll is: each call with a scrollId moves it
 * on, so a page whose answer was lost is gone, and asking again skips it. The reader must never
 * ask for a page twice: it starts a new scroll filtered past the last key it handed on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPxClient } from '@pxstream/sink-px';
import { type Peer, startPeer } from '../../../bench/src/peer-px/server.js';
import { readPxRecords } from '../src/index.js';

const KEY = 'pxk-source-px-peer-SECRET';
const COUNT = 300;
// Ids of every kind: `/ ? #`, unicode, `;` (split off the bound) and mixed case (PX sorts and
// filters ignoring case).
const ids = Array.from({ length: COUNT }, (_, i) => {
  const n = String(i).padStart(4, '0');
  return ['user-', 'User-', 'u/?#-', 'ü;-'][i % 4] + n;
});

describe('readPxRecords over the peer PX: a stateful scroll that loses answers', () => {
  let peer: Peer;
  before(async () => {
    // One answer in four lost after the peer served it (a reset after the page was taken).
    peer = await startPeer({ key: KEY, perSecond: 100_000, shape: 'bucket', resetAfter: 0.25, seed: 11 });
    const seeded = await fetch(`${peer.url}/_peer/seed`, {
      method: 'POST',
      body: JSON.stringify({ users: ids.map((identifyId) => ({ identifyId, propertyKeys: ['AP-PEER-1'] })) }),
    });
    assert.equal(seeded.status, 200);
  });
  after(() => peer.close());

  it('every user once, none skipped, with no page of the old scroll read again', async () => {
    const client = createPxClient({
      baseUrl: `${peer.url}/v1`,
      apiKey: KEY,
      backoffBaseMs: 1,
      backoffCapMs: 5,
    });
    try {
      const read: string[] = [];
      const reader = readPxRecords({ client, type: 'USER', pageSize: 20 });
      for await (const user of reader) read.push(user.identifyId as string);
      const { restarts, pages } = reader.stats();
      assert.ok(restarts >= 3, `answers were lost (${restarts} restarts)`);
      assert.equal(new Set(read).size, read.length, 'no user twice');
      assert.deepEqual([...read].sort(), [...ids].sort(), 'no user left out');
      // Each new scroll starts at the last key: about one page more per restart, never the
      // pages read before it again.
      assert.ok(pages <= COUNT / 20 + 1 + restarts, `${pages} pages for ${restarts} restarts`);
    } finally {
      client.close();
    }
  });
});
