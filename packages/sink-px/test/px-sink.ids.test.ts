import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPxSink } from '../src/index.js';
import { type EmulatorHandle, emulator, SECRET_KEY, seed } from './helpers/emulator.js';
import { assertAccounted, assertRecords } from './helpers/landing.js';
import { accountRow, load, PRODUCT_KEY, userRow } from './helpers/rows.js';

/** Ids a naive URL builder sends to the wrong record, the wrong route, or a parent path. */
const ODD_IDS = [
  'a/b?c#d é',
  '../admin',
  '..',
  '.',
  'update',
  '%41',
  'a%2Fb',
  'with spaces ',
  ' ',
  'ユーザー🙂',
  '?',
  '#frag',
  'users',
  '..%2F..%2Fadmin',
  '%2e%2e',
  'a+b&c=d;e',
];
/** Records that would appear if an id went to the wrong place. */
const DECOYS = ['admin', 'a', 'A', 'b', 'ab', 'update2'];

describe('px sink: odd ids land on exactly their own records', () => {
  let px: EmulatorHandle;
  before(async () => {
    px = await emulator();
  });
  after(() => px.close());

  for (const insertMissing of [false, true]) {
    it(`users, ${insertMissing ? 'insert-missing (half exist, half created)' : 'update (all exist)'}`, async () => {
      px.reset();
      const existing = insertMissing ? ODD_IDS.filter((_, i) => i % 2 === 0) : ODD_IDS;
      await seed(px, {
        users: [...existing, ...DECOYS].map((identifyId) => ({
          identifyId,
          propertyKeys: [PRODUCT_KEY],
          title: 'seeded',
        })),
      });
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        insertMissing,
        rate: 1000,
      });
      const input = ODD_IDS.map((id, i) => userRow(i, id, { title: `row ${i}` }));
      const result = await load(sink, input);
      assertAccounted(sink, result, ODD_IDS.length);
      assert.deepEqual(
        result.rejections,
        [],
        JSON.stringify(result.rejections.map((r) => [r.row.key, r.message])),
      );
      for (const outcome of result.outcomes) {
        const shouldExist = existing.includes(outcome.row.key!);
        assert.equal(outcome.outcome, shouldExist ? 'updated' : 'inserted', JSON.stringify(outcome.row.key));
      }
      // Each odd id holds its own row, the decoys are untouched, no record under a wrong id.
      const expected = new Map<string, Record<string, unknown>>([
        ...ODD_IDS.map((id, i): [string, Record<string, unknown>] => [id, { title: `row ${i}` }]),
        ...DECOYS.map((id): [string, Record<string, unknown>] => [id, { title: 'seeded' }]),
      ]);
      await assertRecords(px, 'users', expected, ODD_IDS.length - existing.length);
      const routes = px.stats().byRoute;
      assert.equal(routes['PUT (unmatched)'], undefined);
      assert.ok(routes['PUT /v1/users/update']?.['204'], 'update, . and .. went through the body-id route');
    });
  }

  it('every POST answer lost: each odd id is read back from its own record (GET by encoded path)', async () => {
    px.reset();
    px.configure({ faults: { resetAfter: 1, methods: ['POST'] } });
    try {
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        insertMissing: true,
        rate: 1000,
      });
      const result = await load(
        sink,
        ODD_IDS.map((id, i) => userRow(i, id, { title: `row ${i}` })),
      );
      assertAccounted(sink, result, ODD_IDS.length);
      assert.deepEqual(result.rejections, []);
      assert.equal(result.count('inserted'), ODD_IDS.length);
      const stats = px.stats();
      assert.equal(
        stats.byRoute['GET /v1/users/{id}']?.['200'],
        ODD_IDS.length,
        'each read back found its record',
      );
      const expected = new Map(ODD_IDS.map((id, i) => [id, { title: `row ${i}` }]));
      await assertRecords(px, 'users', expected, ODD_IDS.length);
    } finally {
      px.configure({ faults: {} });
    }
  });

  it('accounts: the same ids by path and by the /accounts/update route', async () => {
    px.reset();
    await seed(px, { accounts: ODD_IDS.map((id) => ({ id, name: 'seeded', propertyKeys: [PRODUCT_KEY] })) });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'ACCOUNT',
      insertMissing: false,
      rate: 1000,
    });
    const result = await load(
      sink,
      ODD_IDS.map((id, i) => accountRow(i, id, { name: `row ${i}` })),
    );
    assertAccounted(sink, result, ODD_IDS.length);
    assert.equal(result.count('updated'), ODD_IDS.length);
    await assertRecords(px, 'accounts', new Map(ODD_IDS.map((id, i) => [id, { name: `row ${i}` }])), 0);
  });
});
