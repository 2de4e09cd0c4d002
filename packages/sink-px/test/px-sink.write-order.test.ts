/**
 * Insert-missing at one write per row (issue 24, part 4): the sink tries `POST` first when
 * recent rows found their ids missing, `PUT` first when they found them, and for ids the
 * caller knows (`knownId`). Writes per row are counted by the emulator (its `PUT`s and
 * `POST`s), over real sockets.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mulberry32 } from '../../emulator/src/prng.js';
import type { Client } from '../src/client.js';
import { createPxClient, createPxSink, type PxSinkOptions } from '../src/index.js';
import { MIN_EVIDENCE } from '../src/write-order.js';
import { type EmulatorStats, emulatorPool, SECRET_KEY, seedUsers } from './helpers/emulator.js';
import { assertAccounted, assertRecords } from './helpers/landing.js';
import { DUPLICATE, NOT_FOUND, ROW_EMAIL, userRecord } from './helpers/one-row.js';
import { load, userRow } from './helpers/rows.js';
import { pxError, type Reply, scripted } from './helpers/scripted.js';

/**
 * The issue states its targets over 3,000 users. The window's start costs at most
 * `MIN_EVIDENCE` (8) writes whatever the size, so the bounds are met with margin at 1,000 users
 * (2,000 for the random mix, whose writes per row vary as 0.5/sqrt(rows)): a third of the time.
 */
const ROWS = 1000;
const MIX_ROWS = 2000;
const idOf = (i: number) => `wo-${i}`;

/** Requests that write (`PUT`, `POST`) the emulator received, per route method. */
function writes(stats: EmulatorStats): { put: number; post: number } {
  let put = 0;
  let post = 0;
  for (const [route, outcomes] of Object.entries(stats.byRoute)) {
    const n = Object.values(outcomes).reduce((sum, count) => sum + count, 0);
    if (route.startsWith('PUT ')) put += n;
    else if (route.startsWith('POST ')) post += n;
  }
  return { put, post };
}

/** Row `i` of the load, user `ids[i]`. */
const rowsOf = (ids: readonly string[]) => ids.map((id, i) => userRow(i, id, { email: `${id}@example.com` }));

/** Every row's email landed, each missing user created once. */
function expected(ids: readonly string[]) {
  return new Map(ids.map((id) => [id, { email: `${id}@example.com` }]));
}

describe('px sink: one write per row with insert-missing (emulator)', () => {
  const pool = emulatorPool();
  after(() => pool.closeAll());
  const sinkFor = (baseUrl: string, extra: Partial<PxSinkOptions> = {}) =>
    createPxSink({
      baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 10_000,
      concurrency: 16,
      ...extra,
    });

  /** Loads `ids` (those in `existing` seeded first) and returns the writes per row. */
  async function run(ids: string[], existing: string[], extra: Partial<PxSinkOptions> = {}) {
    const px = await pool.start({ rateLimit: false }, { users: seedUsers(existing) });
    const sink = sinkFor(px.baseUrl, extra);
    const result = await load(sink, rowsOf(ids));
    assertAccounted(sink, result, ids.length);
    assert.deepEqual(result.rejections, []);
    assert.equal(result.count('updated'), existing.length, 'updated: exactly the users PX had');
    assert.equal(result.count('inserted'), ids.length - existing.length, 'inserted: exactly the new ones');
    await assertRecords(px, 'users', expected(ids), ids.length - existing.length);
    const w = writes(px.stats());
    return { ...w, perRow: (w.put + w.post) / ids.length, stats: sink.stats(), px };
  }

  it(`${ROWS} users PX lacks: <= 1.05 writes per row (POST first once the first rows found none)`, async () => {
    const ids = Array.from({ length: ROWS }, (_, i) => idOf(i));
    const { perRow, put, post, stats } = await run(ids, []);
    assert.ok(perRow <= 1.05, `writes per row ${perRow} (PUT ${put}, POST ${post})`);
    assert.equal(post, ROWS, 'one POST per user');
    assert.equal(stats.fallbacks, put, 'each PUT met a 404 and fell back');
  });

  it(`${ROWS} users PX has: <= 1.01 writes per row (PUT first)`, async () => {
    const ids = Array.from({ length: ROWS }, (_, i) => idOf(i));
    const { perRow, put, post } = await run(ids, ids);
    assert.ok(perRow <= 1.01, `writes per row ${perRow} (PUT ${put}, POST ${post})`);
  });

  it(`${MIX_ROWS} users, half of them new, in random order, no ledger: <= 1.55 writes per row; counts exact`, async () => {
    const random = mulberry32(24);
    const ids = Array.from({ length: MIX_ROWS }, (_, i) => idOf(i));
    const existing = ids.filter(() => random() < 0.5);
    const shuffled = [...ids];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const { perRow, put, post, px } = await run(shuffled, existing);
    assert.ok(perRow <= 1.55, `writes per row ${perRow} (PUT ${put}, POST ${post})`);
    // Both fallbacks were taken on this mix, and every row still ended as what PX did.
    assert.ok((px.stats().byRoute['POST /v1/users']?.['400'] ?? 0) > 0, 'some POST first met a duplicate');
    assert.ok((px.stats().byRoute['PUT /v1/users/{id}']?.['404'] ?? 0) > 0, 'some PUT first met a 404');
  });

  it('knownId: the ids the ledger holds go PUT first, the others POST first: about one write per row', async () => {
    const ids = Array.from({ length: 400 }, (_, i) => idOf(i));
    const existing = ids.filter((_, i) => i % 2 === 0);
    const held = new Set(existing);
    const asked: string[] = [];
    const knownId = (id: string) => {
      asked.push(id);
      return held.has(id);
    };
    const { put, post, px } = await run(ids, existing, { knownId });
    assert.ok(asked.length >= ids.length, 'asked for every row');
    assert.equal(px.stats().byRoute['POST /v1/users']?.['400'] ?? 0, 0, 'no known id was created');
    // Only the first rows of the unknown ids (the window's probes) met a 404.
    assert.ok(put <= existing.length + 8, `PUT ${put}`);
    assert.equal(post, ids.length - existing.length);
  });

  it('update mode is untouched: PUT only, never a POST, knownId not asked', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => idOf(i));
    const px = await pool.start({}, { users: seedUsers(ids.slice(0, 20)) });
    let asked = 0;
    const sink = sinkFor(px.baseUrl, { insertMissing: false, knownId: () => ++asked > 0 });
    const result = await load(sink, rowsOf(ids));
    assertAccounted(sink, result, ids.length);
    assert.deepEqual(writes(px.stats()), { put: 40, post: 0 });
    assert.equal(asked, 0);
  });
});

describe('px client: the fallbacks of a POST first (scripted PX)', () => {
  /** Row `u` sent by a client whose recent rows all found their id missing (POST first). */
  async function postFirst(answers: Reply[], knownId?: (id: string) => boolean) {
    const px = await scripted((_request, index) => answers[index] ?? { status: 500, body: 'script ran out' });
    const client = createPxClient({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      backoffBaseMs: 5,
      ...(knownId ? { knownId } : {}),
    }) as Client;
    try {
      for (let i = 0; i < MIN_EVIDENCE; i++) {
        const choice = client.writeOrder.choose(`earlier-${i}`);
        assert.ok(!(choice instanceof Promise));
        choice.learned('inserted');
      }
      const result = await client.send('USER', userRow(0, 'u', { email: ROW_EMAIL }), {
        insertMissing: true,
      });
      return { result, requests: px.seen.map((r) => `${r.method} ${r.url}`), stats: client.stats() };
    } finally {
      client.close();
      await px.close();
    }
  }

  it('201: inserted with one write', async () => {
    const run = await postFirst([{ status: 201, body: userRecord().body! }]);
    assert.deepEqual(run.requests, ['POST /v1/users']);
    assert.equal(run.result.outcome, 'inserted');
    assert.deepEqual([run.stats.postFirst, run.stats.fallbacks], [1, 0]);
  });

  it('400 duplicate: PX has the user, one PUT updates it (updated, not inserted)', async () => {
    const run = await postFirst([DUPLICATE, { status: 204 }]);
    assert.deepEqual(run.requests, ['POST /v1/users', 'PUT /v1/users/u']);
    assert.equal(run.result.outcome, 'updated');
    assert.deepEqual([run.stats.postFirst, run.stats.fallbacks], [1, 1]);
  });

  it('another 400 (a field only a create requires): the PUT still applies the row', async () => {
    const refused: Reply = { status: 400, body: pxError('BAD_REQUEST', 'name is required') };
    const run = await postFirst([refused, { status: 204 }]);
    assert.deepEqual(run.requests, ['POST /v1/users', 'PUT /v1/users/u']);
    assert.equal(run.result.outcome, 'updated');
  });

  it("another 400 and the PUT finds no user: rejected with the POST's answer", async () => {
    const refused: Reply = { status: 400, body: pxError('BAD_REQUEST', 'name is required') };
    const run = await postFirst([refused, NOT_FOUND]);
    assert.deepEqual(run.requests, ['POST /v1/users', 'PUT /v1/users/u']);
    assert.deepEqual(run.result, {
      outcome: 'rejected',
      code: 'PX_HTTP_400',
      status: 400,
      message: 'name is required',
      attempts: 2,
    });
  });

  it('the answer lost: read back before anything else; holding the row, it is ours (inserted)', async () => {
    const run = await postFirst([{ status: 0 }, userRecord()]);
    assert.deepEqual(run.requests, ['POST /v1/users', 'GET /v1/users/u']);
    assert.equal(run.result.outcome, 'inserted');
  });

  it('an id knownId holds goes PUT first all the same', async () => {
    const run = await postFirst([{ status: 204 }], (id) => id === 'u');
    assert.deepEqual(run.requests, ['PUT /v1/users/u']);
    assert.equal(run.result.outcome, 'updated');
    assert.deepEqual([run.stats.putFirst, run.stats.postFirst], [1, 0]);
  });

  it('knownId must be a function', () => {
    assert.throws(
      () =>
        createPxSink({
          baseUrl: 'http://127.0.0.1:1/v1',
          apiKey: 'k',
          type: 'USER',
          knownId: 'yes' as never,
        }),
      { code: 'PX_INVALID_OPTION' },
    );
  });
});
