/**
 * The reader's engine against a PX of its own (an in-memory list, faults on demand): paging,
 * the page asked for ahead, restarts, errors. The same reader over real sockets is in
 * reader.emulator.test.ts and the export's end-to-end tests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type JsonObject, PxStreamError } from '@pxstream/core';
import type { ListPage, ListQuery } from '@pxstream/sink-px';
import { firstPageQuery, type PxListClient, readPxRecords } from '../src/index.js';

/**
 * PX's list in memory: a first page takes a snapshot of the records past an `identifyId>=`
 * bound (the only filter term it reads, compared ignoring case), a scrollId is the offset of
 * the next page in the latest snapshot. `faults` by request number (-1: every request but the
 * first) answer an error, after changing the records if they like.
 */
class FakePx implements PxListClient {
  readonly calls: ListQuery[] = [];
  readonly faults = new Map<number, (px: FakePx) => Error>();
  private snapshot: JsonObject[] = [];
  constructor(public records: JsonObject[]) {}

  async listPage(_type: 'USER' | 'ACCOUNT', query: ListQuery): Promise<ListPage> {
    const index = this.calls.length;
    this.calls.push(query);
    await new Promise((resolve) => setImmediate(resolve));
    const fault = this.faults.get(index) ?? (index > 0 ? this.faults.get(-1) : undefined);
    if (fault) throw fault(this);
    if (query.scrollId === undefined) {
      const bound = /identifyId>=(.*)$/.exec(query.filters?.[0] ?? '')?.[1]?.toLowerCase();
      this.snapshot = this.records.filter(
        (r) => bound === undefined || String(r.identifyId).toLowerCase() >= bound,
      );
    }
    const offset = query.scrollId === undefined ? 0 : Number(query.scrollId);
    const page = this.snapshot.slice(offset, offset + query.pageSize);
    return { records: page, totalHits: this.snapshot.length, scrollId: String(offset + page.length) };
  }
}

const users = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ identifyId: `u${String(from + i).padStart(6, '0')}` }));
const expired = () => new PxStreamError('PX_HTTP_400', 'Invalid or expired scrollId', { status: 400 });

async function readAll(reader: AsyncIterable<JsonObject>): Promise<string[]> {
  const out: string[] = [];
  for await (const record of reader) out.push(record.identifyId as string);
  return out;
}

const code = (expected: string) => (error: unknown) => (error as PxStreamError).code === expected;

describe('readPxRecords: paging', () => {
  it('reads 1,000 a request, sorted by key, and stops on the short page', async () => {
    const px = new FakePx(users(2500));
    const reader = readPxRecords({ client: px, type: 'USER' });
    assert.deepEqual(
      await readAll(reader),
      users(2500).map((u) => u.identifyId),
    );
    assert.equal(px.calls.length, 3);
    assert.deepEqual(px.calls[0], { pageSize: 1000, sort: 'identifyId' });
    assert.deepEqual(
      px.calls.map((c) => c.scrollId),
      [undefined, '1000', '2000'],
    );
    assert.deepEqual(reader.stats(), { records: 2500, pages: 3, restarts: 0, skipped: 0, totalHits: 2500 });
  });

  it('a count that fills its last page ends on the empty page after it', async () => {
    const px = new FakePx(users(2000));
    assert.equal((await readAll(readPxRecords({ client: px, type: 'USER' }))).length, 2000);
    assert.equal(px.calls.length, 3);
  });

  it('accounts are sorted by id; filters are passed as given, one parameter each', async () => {
    const px = new FakePx([{ id: 'a1' }]);
    const filters = ['name~Acme*;industry==Retail', 'id==a1'];
    await readAll(readPxRecords({ client: px, type: 'ACCOUNT', filters }));
    assert.deepEqual(px.calls[0], { pageSize: 1000, sort: 'id', filters });
  });

  it('asks for the next page while the current one is handed on', async () => {
    const px = new FakePx(users(30));
    const iterator = readPxRecords({ client: px, type: 'USER', pageSize: 10 })[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(px.calls.length, 2, 'page 2 asked for before page 1 was read through');
    await iterator.return?.();
  });

  it("sends the next page's request while a consumer that never waits on I/O takes the page", async () => {
    // As the sink's limiter does, the request goes out a few turns of the event loop after it
    // was asked for. The consumer counts records in microtasks only (verify's comparisons).
    const px = new FakePx(users(2500));
    let consumed = 0;
    const sentAfter: number[] = [];
    const client: PxListClient = {
      async listPage(type, query) {
        for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
        sentAfter.push(consumed);
        return px.listPage(type, query);
      },
    };
    for await (const _record of readPxRecords({ client, type: 'USER' })) consumed++;
    assert.equal(consumed, 2500);
    assert.equal(sentAfter.length, 3);
    assert.ok(sentAfter[1]! < 1000, `page 2 went out after ${sentAfter[1]} records of page 1`);
    assert.ok(sentAfter[2]! < 2000, `page 3 went out after ${sentAfter[2]} records`);
  });

  it('a stop (signal) ends the read without an error and without another request', async () => {
    const px = new FakePx(users(30));
    const stop = new AbortController();
    const seen: string[] = [];
    for await (const record of readPxRecords({
      client: px,
      type: 'USER',
      pageSize: 10,
      signal: stop.signal,
    })) {
      seen.push(record.identifyId as string);
      if (seen.length === 5) stop.abort();
    }
    assert.equal(seen.length, 10, 'the page under way is handed on whole');
    assert.equal(px.calls.length, 2);
  });

  it('starts from a first page the caller read (a count that is also the first page)', async () => {
    const px = new FakePx(users(2500));
    const firstPage = await px.listPage('USER', firstPageQuery('USER', ['score>3']));
    assert.deepEqual(px.calls[0], { pageSize: 1000, sort: 'identifyId', filters: ['score>3'] });
    const reader = readPxRecords({ client: px, type: 'USER', filters: ['score>3'], firstPage });
    assert.deepEqual(
      await readAll(reader),
      users(2500).map((u) => u.identifyId),
    );
    assert.deepEqual(
      px.calls.map((c) => c.scrollId),
      [undefined, '1000', '2000'],
      'the first page is not asked for again',
    );
    assert.equal(reader.stats().pages, 3);
  });

  it('refuses a pageSize PX does not take', () => {
    assert.throws(
      () => readPxRecords({ client: new FakePx([]), type: 'USER', pageSize: 1001 }),
      code('PX_INVALID_OPTION'),
    );
  });
});

describe('readPxRecords: a failed scroll', () => {
  it('an expired scroll is replaced by one filtered past the last key: every record once', async () => {
    const px = new FakePx(users(2500));
    px.faults.set(1, expired);
    const restarts: number[] = [];
    const reader = readPxRecords({
      client: px,
      type: 'USER',
      filters: ['email~*@acme.com', 'score>3'],
      onRestart: ({ stats }) => restarts.push(stats.records),
    });
    assert.deepEqual(
      await readAll(reader),
      users(2500).map((u) => u.identifyId),
    );
    assert.deepEqual(restarts, [1000]);
    assert.deepEqual(
      px.calls.map((c) => [c.scrollId, c.filters]),
      [
        [undefined, ['email~*@acme.com', 'score>3']],
        ['1000', undefined],
        [undefined, ['email~*@acme.com;identifyId>=u000999', 'score>3;identifyId>=u000999']],
        ['1000', undefined],
      ],
      "the user's filters, each ANDed with the bound; no re-read of the first 1,000",
    );
    assert.deepEqual(reader.stats(), {
      records: 2500,
      pages: 3,
      restarts: 1,
      skipped: 1,
      totalHits: 2500,
    });
  });

  it('the last record read deleted and one created before it, then a restart: nothing twice, nothing lost', async () => {
    const px = new FakePx(users(25));
    // Page 3's request: u000019 (the last read) is gone, u000005a (sorted before it) is new.
    px.faults.set(2, (px) => {
      px.records = [...users(6), { identifyId: 'u000005a' }, ...users(13, 6), ...users(5, 20)];
      return expired();
    });
    const reader = readPxRecords({ client: px, type: 'USER', pageSize: 10 });
    assert.deepEqual(
      await readAll(reader),
      users(25).map((u) => u.identifyId),
    );
    assert.equal(reader.stats().skipped, 0);
  });

  it("a first page that fails is the query's fault: thrown as it is, no restart", async () => {
    const px = new FakePx(users(5));
    px.faults.set(0, () => new PxStreamError('PX_HTTP_400', 'Invalid filter', { status: 400 }));
    await assert.rejects(
      readAll(readPxRecords({ client: px, type: 'USER', filters: ['x=~1'] })),
      code('PX_HTTP_400'),
    );
    assert.equal(px.calls.length, 1);
  });

  it('a fatal answer mid-scroll is thrown at once', async () => {
    const px = new FakePx(users(25));
    px.faults.set(1, () => new PxStreamError('PX_AUTH_FAILED', 'revoked', { status: 401, fatal: true }));
    await assert.rejects(
      readAll(readPxRecords({ client: px, type: 'USER', pageSize: 10 })),
      code('PX_AUTH_FAILED'),
    );
    assert.equal(px.calls.length, 2);
  });

  it(`fails with PX_SCROLL_FAILED after maxRestarts restarts in a row with nothing read`, async () => {
    const px = new FakePx(users(25));
    px.faults.set(-1, expired);
    const read: string[] = [];
    await assert.rejects(async () => {
      for await (const record of readPxRecords({ client: px, type: 'USER', pageSize: 10, maxRestarts: 2 }))
        read.push(record.identifyId as string);
    }, code('PX_SCROLL_FAILED'));
    assert.equal(read.length, 10);
    assert.equal(px.calls.length, 4, 'page 1, then page 2 and two new scrolls, each failing');
  });

  it('a full page without a scrollId ends the read with PX_SCROLL_FAILED', async () => {
    const client: PxListClient = {
      listPage: async () => ({ records: users(10), totalHits: 30, scrollId: undefined }),
    };
    await assert.rejects(
      readAll(readPxRecords({ client, type: 'USER', pageSize: 10 })),
      code('PX_SCROLL_FAILED'),
    );
  });

  it('is read once', async () => {
    const reader = readPxRecords({ client: new FakePx([]), type: 'USER' });
    await readAll(reader);
    await assert.rejects(readAll(reader), code('PX_INVALID_OPTION'));
  });
});
