/**
 * A read cut into ranges of `createDate` (`scrolls` above 1), over real sockets to the emulator:
 * every record exactly once, as one scroll reads them, with the user's filters, with records
 * created meanwhile, with one range's scroll expiring; and one scroll when the ranges' counts do
 * not add up. The cuts themselves (`planRanges`) against counts in memory.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPxClient, type ListPage, type ListQuery, type PxClient } from '@pxstream/sink-px';
import { type EmulatorHandle, startEmulator } from '../../emulator/src/index.js';
import {
  type PxListClient,
  type PxPartitionEvent,
  type PxReaderOptions,
  readPxRecords,
} from '../src/index.js';
import { planRanges } from '../src/partition.js';

const KEY = 'pxk-source-px-partition-SECRET';
const COUNT = 2000;
const users = Array.from({ length: COUNT }, (_, i) => ({
  identifyId: `user-${String(i).padStart(5, '0')}`,
  propertyKeys: ['AP-TEST000000-2'],
  email: `person${i}@${i % 5 === 0 ? 'acme.com' : 'example.com'}`,
  score: i % 100,
}));

/** Small pages and a low threshold: a few pages a range, at a few thousand records. */
const CUT = { scrolls: 4, partitionMinRecords: 1000, pageSize: 200 } as const;

async function read(options: PxReaderOptions) {
  const ids: string[] = [];
  let partition: PxPartitionEvent | undefined;
  const reader = readPxRecords({ ...options, onPartition: (event) => (partition = event) });
  for await (const record of reader) ids.push(record.identifyId as string);
  return { ids, partition, stats: reader.stats() };
}

/** Each id once: the sorted list, after checking that none came twice. */
function once(ids: string[]): string[] {
  assert.equal(new Set(ids).size, ids.length, 'no record twice');
  return [...ids].sort();
}

/** A client whose list requests `change` may rewrite (a scrollId, the filters) on their way. */
function tampered(client: PxClient, change: (query: ListQuery) => ListQuery): PxListClient {
  return { listPage: (type, query) => client.listPage(type, change(query)) };
}

describe('readPxRecords in ranges of createDate, over the emulator', () => {
  let px: EmulatorHandle;
  let client: PxClient;
  // Record dates from a clock of its own: each record created 1 ms after the one before.
  let wall = 1_700_000_000_000;
  before(async () => {
    px = await startEmulator({ apiKeys: [KEY], rateLimit: false }, { wallClock: () => wall++ });
    const seeded = await fetch(`${px.url}/__emulator/seed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ users }),
    });
    assert.equal(seeded.status, 200);
    client = createPxClient({ baseUrl: px.baseUrl, apiKey: KEY, timeoutMs: 5000 });
  });
  after(async () => {
    client.close();
    await px.close();
  });

  it('every user exactly once, as one scroll reads them, from four scrolls at once', async () => {
    const whole = await read({ client, type: 'USER', pageSize: 200 });
    const cut = await read({ client, type: 'USER', ...CUT });
    assert.equal(cut.partition?.scrolls, 4);
    assert.equal(cut.partition?.single, undefined);
    assert.equal(
      cut.partition?.ranges.reduce((sum, n) => sum + n, 0),
      COUNT,
    );
    assert.deepEqual(once(cut.ids), whole.ids);
    assert.notDeepEqual(cut.ids, whole.ids, 'the ranges interleave');
    const { records, totalHits, scrolls, counts, restarts } = cut.stats;
    assert.deepEqual(
      { records, totalHits, scrolls, restarts },
      { records: COUNT, totalHits: COUNT, scrolls: 4, restarts: 0 },
    );
    // The lowest and highest dates, then one round of three counts (the dates are evenly spread).
    assert.equal(counts, 5);
  });

  it("with the user's filters, ORed: the range is ANDed onto each", async () => {
    const filters = ['email~*@acme.com;score<50', 'score>=90'];
    const whole = await read({ client, type: 'USER', filters });
    const cut = await read({ client, type: 'USER', filters, ...CUT, partitionMinRecords: 100, pageSize: 50 });
    assert.equal(cut.partition?.scrolls, 4);
    for (const range of cut.partition!.filters) assert.equal(range.length, 2);
    assert.ok(cut.partition!.filters[1]![0]!.startsWith('email~*@acme.com;score<50;createDate>='));
    assert.equal(whole.ids.length, COUNT / 5);
    assert.deepEqual(once(cut.ids), whole.ids);
  });

  it('records created while it reads: those there before exactly once, the new ones at most once', async () => {
    const before = new Set(users.map((u) => u.identifyId));
    const ids: string[] = [];
    let created = 0;
    for await (const record of readPxRecords({ client, type: 'USER', ...CUT })) {
      ids.push(record.identifyId as string);
      if (ids.length % 400 === 0) {
        const answer = await fetch(`${px.baseUrl}/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-aptrinsic-api-key': KEY },
          body: JSON.stringify({ identifyId: `new-${++created}`, propertyKeys: ['AP-TEST000000-2'] }),
        });
        assert.equal(answer.status, 201);
      }
    }
    assert.ok(created >= 5);
    const read = once(ids);
    assert.deepEqual(
      read.filter((id) => before.has(id)),
      [...before].sort(),
    );
    for (let i = 1; i <= created; i++) {
      await fetch(`${px.baseUrl}/users/new-${i}`, {
        method: 'DELETE',
        headers: { 'x-aptrinsic-api-key': KEY },
      });
    }
  });

  it("one range's scroll expires: that range alone starts again past its last key", async () => {
    // The second page of the last range (open above) asked for with a scrollId the emulator
    // never gave: it answers as to an expired scroll (400).
    const lastRange = new Set<string>();
    let spoiled = 0;
    const flaky: PxListClient = {
      listPage: async (type, query) => {
        const asked =
          query.scrollId !== undefined && lastRange.has(query.scrollId) && spoiled++ === 0
            ? { ...query, scrollId: 'expired' }
            : query;
        const page = await client.listPage(type, asked);
        const last = query.pageSize > 1 && /^createDate>=\d+$/.test(query.filters?.[0] ?? '');
        if (last && page.scrollId) lastRange.add(page.scrollId);
        return page;
      },
    };
    const restarts: number[] = [];
    const cut = await read({
      client: flaky,
      type: 'USER',
      ...CUT,
      onRestart: ({ stats }) => restarts.push(stats.records),
    });
    assert.ok(spoiled >= 1);
    assert.equal(cut.stats.restarts, 1);
    assert.equal(restarts.length, 1);
    assert.deepEqual(
      once(cut.ids),
      users.map((u) => u.identifyId),
    );
  });

  it("a PX that ignores the range's term: the counts do not add up, one scroll reads it all", async () => {
    // The ranges' scrolls lose their createDate terms on the way: each counts every record.
    const blind = tampered(client, (query) =>
      query.pageSize > 1 && query.filters
        ? {
            ...query,
            filters: query.filters.map((f) => f.replace(/;?createDate[<>]=?\d+/g, '') || 'score>=0'),
          }
        : query,
    );
    const cut = await read({ client: blind, type: 'USER', ...CUT });
    assert.equal(cut.partition?.single, 'unequal');
    assert.deepEqual(cut.partition?.ranges, [COUNT, COUNT, COUNT, COUNT]);
    assert.equal(cut.stats.scrolls, 1);
    assert.deepEqual(
      cut.ids,
      users.map((u) => u.identifyId),
      'one scroll, sorted by key',
    );
  });

  it('a read under the threshold stays one scroll, with no count asked', async () => {
    const cut = await read({ client, type: 'USER', ...CUT, partitionMinRecords: COUNT + 1 });
    assert.equal(cut.partition?.single, 'small');
    assert.equal(cut.stats.counts, 0);
    assert.deepEqual(
      cut.ids,
      users.map((u) => u.identifyId),
    );
  });
});

describe('planRanges: cuts from counts', () => {
  /** Counts over dates in memory, as PX answers them (`createDate<b` terms only). */
  const counter =
    (dates: number[]) =>
    async (filters: readonly string[], sort?: string): Promise<ListPage> => {
      const bound = /createDate<(\d+)/.exec(filters.join(';'))?.[1];
      const hits = dates.filter((d) => bound === undefined || d < Number(bound));
      const sorted = [...hits].sort((a, b) => (sort === '-createDate' ? b - a : a - b));
      return {
        records: sorted.slice(0, 1).map((createDate) => ({ createDate })),
        totalHits: hits.length,
        scrollId: 'x',
      };
    };

  it('equal parts of dates spread unevenly, within an eighth of a part', async () => {
    const dates = Array.from({ length: 4000 }, (_, i) => 1000 + Math.floor(i ** 2 / 1000));
    const plan = await planRanges(counter(dates), [], dates.length, 4, () => false);
    assert.equal(plan?.bounds.length, 3);
    for (const [i, bound] of plan!.bounds.entries()) {
      const below = dates.filter((d) => d < bound).length;
      assert.ok(Math.abs(below - (i + 1) * 1000) <= 125, `bound ${i}: ${below} below`);
    }
    assert.deepEqual(plan!.ranges[0], [`createDate<${plan!.bounds[0]}`]);
    assert.deepEqual(plan!.ranges[3], [`createDate>=${plan!.bounds[2]}`]);
  });

  it('a date many records share stays in one range; one date for all: no cut', async () => {
    const dates = [...Array(3000).fill(5000), ...Array.from({ length: 1000 }, (_, i) => 6000 + i)];
    const plan = await planRanges(counter(dates), [], dates.length, 4, () => false);
    assert.equal(plan?.bounds.length, 1);
    assert.equal(dates.filter((d) => d < plan!.bounds[0]!).length, 3000);
    assert.equal(await planRanges(counter(Array(100).fill(7)), [], 100, 4, () => false), undefined);
  });
});
