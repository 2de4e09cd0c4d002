import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPxSink } from '../src/index.js';
import { dump, type EmulatorHandle, emulator, SECRET_KEY, seed } from './helpers/emulator.js';
import { assertAccounted, assertRecords } from './helpers/landing.js';
import { accountRow, everyRowEndedOnce, load, PRODUCT_KEY, userRow } from './helpers/rows.js';

/** 60 rows: even indices name users that exist before the load, odd ones new users. */
const ROWS = 60;
const idOf = (i: number) => `user-${String(i).padStart(3, '0')}`;
const existing = () =>
  Array.from({ length: ROWS / 2 }, (_, k) => ({
    identifyId: idOf(2 * k),
    propertyKeys: [PRODUCT_KEY],
    email: 'old@example.com',
    firstName: 'Old',
  }));
const rows = () =>
  Array.from({ length: ROWS }, (_, i) => userRow(i, idOf(i), { email: `new-${i}@example.com` }));

describe('px sink: update and insert-missing against the emulator', () => {
  let px: EmulatorHandle;
  before(async () => {
    px = await emulator();
  });
  after(() => px.close());

  it('update mode: PUT updates existing users, 404 skips the new ones ("no match"), nothing is created', async () => {
    px.reset();
    await seed(px, { users: existing() });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: false,
      rate: 2000,
    });
    const result = await load(sink, rows());
    assertAccounted(sink, result, ROWS);
    assert.equal(result.count('updated'), ROWS / 2);
    assert.equal(result.count('skipped'), ROWS / 2);
    assert.equal(result.rejections.length, 0);
    for (const o of result.outcomes) {
      assert.equal(o.outcome, o.row.index % 2 === 0 ? 'updated' : 'skipped');
      if (o.outcome === 'skipped') assert.equal(o.reason, 'no match');
    }
    // The existing users got the row's email and kept their other fields (a PUT is partial);
    // the new ones were not created.
    const expected = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < ROWS; i += 2)
      expected.set(idOf(i), { email: `new-${i}@example.com`, firstName: 'Old' });
    await assertRecords(px, 'users', expected, 0);
    const stats = sink.stats();
    assert.equal(stats.sent, ROWS);
    assert.equal(stats.byStatus['204'], ROWS / 2);
    assert.equal(stats.byStatus['404'], ROWS / 2);
    assert.equal(px.stats().byRoute['POST /v1/users'], undefined, 'no POST in update mode');
  });

  it('insert-missing: PUT then POST for the new users; every user ends with the row body, none twice', async () => {
    px.reset();
    await seed(px, { users: existing() });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 2000,
    });
    const result = await load(sink, rows());
    assertAccounted(sink, result, ROWS);
    assert.equal(result.count('updated'), ROWS / 2);
    assert.equal(result.count('inserted'), ROWS / 2);
    for (const o of result.outcomes) assert.equal(o.outcome, o.row.index % 2 === 0 ? 'updated' : 'inserted');
    const expected = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < ROWS; i++) {
      const old = i % 2 === 0 ? { firstName: 'Old' } : {};
      expected.set(idOf(i), { email: `new-${i}@example.com`, propertyKeys: [PRODUCT_KEY], ...old });
    }
    await assertRecords(px, 'users', expected, ROWS / 2);
    assert.equal(sink.stats().sent, ROWS + ROWS / 2, 'one PUT per row, one POST per new row');
  });

  it('accounts: the same modes on /accounts keyed by id', async () => {
    px.reset();
    await seed(px, { accounts: [{ id: 'acc-1', name: 'One', propertyKeys: [PRODUCT_KEY] }] });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'ACCOUNT',
      insertMissing: true,
      rate: 2000,
    });
    const result = await load(sink, [
      accountRow(0, 'acc-1', { plan: 'gold' }),
      accountRow(1, 'acc-2', { plan: 'free' }),
    ]);
    assertAccounted(sink, result, 2);
    assert.deepEqual(result.outcomes.map((o) => [o.row.index, o.outcome]).sort(), [
      [0, 'updated'],
      [1, 'inserted'],
    ]);
    const expected = new Map([
      ['acc-1', { plan: 'gold', name: 'Account acc-1' }],
      ['acc-2', { plan: 'free', name: 'Account acc-2' }],
    ]);
    await assertRecords(px, 'accounts', expected, 1);
  });

  it("other 4xx: the row is rejected with PX_HTTP_400 and PX's sub-error message; the load goes on", async () => {
    px.reset();
    await seed(px, { users: existing() });
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 2000,
    });
    const input = [
      userRow(0, idOf(0), { score: 'not a number' }),
      userRow(1, idOf(1), { email: 'fine@example.com' }),
      userRow(2, idOf(2), { unknownField: 1 }),
    ];
    const result = await load(sink, input);
    assert.equal(everyRowEndedOnce(result, 3), undefined);
    assert.equal(result.rejections.length, 2);
    for (const rejection of result.rejections) {
      assert.equal(rejection.stage, 'send');
      assert.equal(rejection.code, 'PX_HTTP_400');
      assert.equal(rejection.status, 400);
      assert.ok(!rejection.message.includes('\n'));
      assert.ok(!rejection.message.includes('externalapierror'), rejection.message);
    }
    const byIndex = new Map(result.rejections.map((r) => [r.row.index, r.message]));
    assert.match(byIndex.get(0)!, /score/);
    assert.match(byIndex.get(2)!, /unknownField/);
    assert.equal(result.count('inserted'), 1);
    assert.equal((await dump(px, 'users')).length, ROWS / 2 + 1);
  });

  it('a row without key or body is rejected PX_INVALID_ROW without a request', async () => {
    px.reset();
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER',
      insertMissing: true,
      rate: 2000,
    });
    const result = await load(sink, [
      { index: 0, line: 2, fields: [] },
      { index: 1, line: 3, fields: [], body: { email: 'x@example.com' } },
    ]);
    assert.equal(everyRowEndedOnce(result, 2), undefined);
    assert.deepEqual(
      result.rejections.map((r) => r.code),
      ['PX_INVALID_ROW', 'PX_INVALID_ROW'],
    );
    assert.equal(sink.stats().sent, 0);
  });
});
