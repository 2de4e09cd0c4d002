import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPxSink } from '../src/index.js';
import { SECRET_KEY } from './helpers/emulator.js';
import { load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';

const throttled = {
  status: 429,
  headers: { 'retry-after': '0' },
  body: pxError('TOO_MANY_REQUESTS', 'Rate limit exceeded'),
};

describe('px sink: 429s have a budget of their own', () => {
  it('more 429s than maxAttempts, then a 204: the row is updated, not exhausted', async () => {
    // maxAttempts 2: a 5xx budget of one retry; five 429s in a row still end in the update.
    const px = await scripted((_request, index) => (index < 5 ? throttled : { status: 204 }));
    try {
      const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER', maxAttempts: 2 });
      const result = await load(sink, [userRow(0, 'a')]);
      assert.equal(result.count('updated'), 1);
      assert.equal(result.rejections.length, 0);
      assert.equal(px.seen.length, 6);
    } finally {
      await px.close();
    }
  });

  it('a PX that never stops answering 429 still ends the row: PX_RETRIES_EXHAUSTED after 5 x maxAttempts', async () => {
    const px = await scripted(() => throttled);
    try {
      const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER', maxAttempts: 2 });
      const result = await load(sink, [userRow(0, 'a')]);
      assert.equal(result.rejections[0]?.code, 'PX_RETRIES_EXHAUSTED');
      assert.equal(result.rejections[0]?.status, 429);
      assert.match(result.rejections[0]!.message, /gave up after 10 failed attempts/);
      assert.equal(px.seen.length, 10);
    } finally {
      await px.close();
    }
  });
});
