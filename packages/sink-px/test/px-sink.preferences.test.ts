import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPxSink } from '../src/index.js';
import { dump, type EmulatorHandle, emulator, SECRET_KEY, seed } from './helpers/emulator.js';
import { everyRowEndedOnce, load, PRODUCT_KEY, row } from './helpers/rows.js';

const USERS = ['pref-1', 'pref-2', 'a/b?c#d é', '..', 'update'];

describe('px sink: USER_PREFERENCES', () => {
  let px: EmulatorHandle;
  before(async () => {
    px = await emulator({ faults: { seed: 2, resetBefore: 0.35, methods: ['PUT'] } });
    await seed(px, { users: USERS.map((identifyId) => ({ identifyId, propertyKeys: [PRODUCT_KEY] })) });
  });
  after(() => px.close());

  it('PUT /user/preferences/{identifyId}: 204 updated, 404 (no such user) skipped "no match"; retried over resets', async () => {
    const ids = [...USERS, 'nobody', 'nobody/else'];
    // The mapper keeps the key out of a preferences body: it travels in the path only.
    const input = ids.map((id, i) => row(i, id, { trackUsage: i % 2 === 0, surveys: true }));
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER_PREFERENCES',
      insertMissing: false,
      rate: 500,
      backoffBaseMs: 10,
      maxAttempts: 10,
    });
    const result = await load(sink, input);
    assert.equal(everyRowEndedOnce(result, ids.length), undefined);
    assert.deepEqual(result.rejections, []);
    for (const outcome of result.outcomes) {
      const known = USERS.includes(outcome.row.key!);
      assert.equal(outcome.outcome, known ? 'updated' : 'skipped', outcome.row.key);
      if (!known) assert.equal(outcome.reason, 'no match');
    }
    const preferences = await dump(px, 'preferences');
    assert.equal(preferences.length, USERS.length);
    USERS.forEach((id, i) => {
      const entry = preferences.find((p) => p.identifyId === id);
      assert.ok(entry, `preferences of ${JSON.stringify(id)}: ${JSON.stringify(preferences)}`);
      assert.equal(entry.trackUsage, i % 2 === 0);
      assert.equal(entry.surveys, true);
    });
    assert.ok(px.stats().faults.resetBefore > 0);
    assert.ok(sink.stats().retries > 0);
  });

  it('a row without identifyId is rejected PX_INVALID_ROW; insertMissing is refused', async () => {
    const sink = createPxSink({
      baseUrl: px.baseUrl,
      apiKey: SECRET_KEY,
      type: 'USER_PREFERENCES',
      rate: 500,
    });
    const result = await load(sink, [row(0, undefined, { surveys: false })]);
    assert.equal(result.rejections[0]?.code, 'PX_INVALID_ROW');
    assert.throws(
      () =>
        createPxSink({
          baseUrl: px.baseUrl,
          apiKey: SECRET_KEY,
          type: 'USER_PREFERENCES',
          insertMissing: true,
          rate: 1,
        }),
      { code: 'PX_INVALID_OPTION', message: /USER_PREFERENCES/ },
    );
  });
});
