import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPxSink } from '../src/index.js';
import { dump, type EmulatorHandle, emulator, recordsById, SECRET_KEY } from './helpers/emulator.js';
import { everyRowEndedOnce, load, userRow } from './helpers/rows.js';
import { type Reply, scripted } from './helpers/scripted.js';
import { virtualTime } from './helpers/virtual-time.js';

/** 20 new ids, each on three rows spread over the file (an updated row appended, twice). */
const IDS = 20;
const idOf = (i: number) => `dup-${String(i).padStart(2, '0')}`;
function threeRowsPerId() {
  const rows = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < IDS; i++) {
      rows.push(userRow(rows.length, idOf(i), { email: `round-${round}-${i}@example.com`, score: round }));
    }
  }
  return rows;
}

describe('px sink: rows that share an id apply in file order', () => {
  let px: EmulatorHandle;
  before(async () => {
    // A little latency and jitter, so that rows of other ids overtake each other.
    px = await emulator({ latency: { fixedMs: 5, jitterMs: 20 } });
  });
  after(() => px.close());

  it('20 new ids x 3 rows, insert-missing: each ends as its last row, with one create each', async () => {
    px.reset();
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 1000,
      concurrency: 32,
    });
    const rows = threeRowsPerId();
    const result = await load(sink, rows);
    assert.equal(everyRowEndedOnce(result, rows.length), undefined);
    assert.equal(result.rejections.length, 0, JSON.stringify(result.rejections));
    assert.equal(result.count('inserted'), IDS, 'the first row of each id creates it');
    assert.equal(result.count('updated'), 2 * IDS, 'the later rows update it');
    const stats = px.stats();
    assert.equal(stats.created.users, IDS, 'one create per id');
    assert.equal(stats.byRoute['POST /v1/users']?.['400'] ?? 0, 0, 'no create met a duplicate');
    const records = await recordsById(px, 'users');
    for (let i = 0; i < IDS; i++) {
      const record = records.get(idOf(i));
      assert.equal(record?.email, `round-2-${i}@example.com`, `${idOf(i)} holds its last row`);
      assert.equal(record?.score, 2);
    }
    assert.equal((await dump(px, 'users')).length, IDS);
  });

  it('rows of one id are never in flight at once, while other ids keep their concurrency', async (t) => {
    // Virtual time (helpers/virtual-time.ts): the scripted PX's 60 ms and the sink's pace on one
    // clock, so which requests overlap is the same on any machine.
    const vt = virtualTime(t);
    // A scripted PX that records, per id, how many of its requests are open at a time.
    const open = new Map<string, number>();
    let maxSameId = 0;
    let maxAll = 0;
    let all = 0;
    const server = await scripted(async (request): Promise<Reply> => {
      const id = decodeURIComponent(request.url.split('/').at(-1) ?? '');
      open.set(id, (open.get(id) ?? 0) + 1);
      all++;
      maxSameId = Math.max(maxSameId, open.get(id)!);
      maxAll = Math.max(maxAll, all);
      await vt.sleep(60);
      open.set(id, open.get(id)! - 1);
      all--;
      return { status: 204 };
    }, vt.clock);
    try {
      const sink = createPxSink({
        baseUrl: server.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 5000,
        concurrency: 16,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      // 8 hot ids each on 10 consecutive rows, then 100 distinct ids.
      const rows = [
        ...Array.from({ length: 80 }, (_, i) => userRow(i, `hot-${Math.floor(i / 10)}`)),
        ...Array.from({ length: 100 }, (_, i) => userRow(80 + i, `cold-${i}`)),
      ];
      const result = await vt.run(load(sink, rows));
      assert.equal(everyRowEndedOnce(result, rows.length), undefined);
      assert.equal(maxSameId, 1, 'two rows of one id were in flight together');
      assert.equal(maxAll, 16, 'other ids ran concurrently, up to the in-flight cap');
    } finally {
      await server.close();
    }
  });

  it('memory stays bounded when every row has the same id: the sink stops taking rows', async (t) => {
    const vt = virtualTime(t);
    const server = await scripted(async () => {
      await vt.sleep(2);
      return { status: 204 };
    }, vt.clock);
    try {
      const sink = createPxSink({
        baseUrl: server.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 5000,
        concurrency: 4,
        maxPending: 4,
        maxWaiting: 10,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      // Sampled whenever the process is idle, between any two things that happen.
      let peakWaiting = 0;
      vt.onIdle = () => {
        peakWaiting = Math.max(peakWaiting, sink.waitingForKey);
      };
      const rows = Array.from({ length: 200 }, (_, i) => userRow(i, 'same-id', { score: i }));
      const result = await vt.run(load(sink, rows));
      assert.equal(everyRowEndedOnce(result, rows.length), undefined);
      // The sink takes rows until maxWaiting of them wait for their id, and no more.
      assert.equal(peakWaiting, 10, 'maxWaiting rows wait for their id, never more');
    } finally {
      await server.close();
    }
  });
});
