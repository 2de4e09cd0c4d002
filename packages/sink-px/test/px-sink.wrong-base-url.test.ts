import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RecordType } from '@pxstream/config';
import { createPxSink } from '../src/index.js';
import { type EmulatorHandle, emulator, SECRET_KEY } from './helpers/emulator.js';
import { load, row, userRow } from './helpers/rows.js';

/** Each type's row, as the mapper leaves it. */
const ROWS: Record<RecordType, ReturnType<typeof row>> = {
  USER: userRow(0, 'u-1'),
  ACCOUNT: row(0, 'a-1', { id: 'a-1', name: 'A', propertyKeys: ['AP-TEST00000000-1'] }),
  CUSTOM_EVENT: row(0, 'u-1', { identifyId: 'u-1', eventName: 'e', propertyKey: 'AP-TEST00000000-1' }),
  USER_PREFERENCES: row(0, 'u-1', { trackUsage: true }),
};

describe('px sink: a 404 that is not a record error stops the run (a base URL without /v1)', () => {
  let px: EmulatorHandle;
  before(async () => {
    // Paths that match no route answer an HTML page, as a gateway in front of PX may.
    px = await emulator({ noRouteHtml: true });
  });
  after(() => px.close());

  for (const type of ['USER', 'ACCOUNT', 'CUSTOM_EVENT', 'USER_PREFERENCES'] as const) {
    it(`${type}: fatal PX_WRONG_BASE_URL naming the /v1 fix; no row skipped or rejected`, async () => {
      px.reset();
      const sink = createPxSink({ baseUrl: px.url, apiKey: SECRET_KEY, type, rate: 100 });
      const rows = [ROWS[type], { ...ROWS[type], index: 1 }];
      let ended = 0;
      sink.on('outcome', () => ended++);
      sink.on('rejection', () => ended++);
      const error = await load(sink, rows).catch((caught: unknown) => caught);
      assert.equal((error as { code?: string }).code, 'PX_WRONG_BASE_URL', String(error));
      assert.match(
        String((error as Error).message),
        /the base URL must end in \/v1 \(set baseUrl to http:\/\/127\.0\.0\.1:\d+\/v1\)/,
      );
      assert.equal(ended, 0, 'no row was counted as skipped, loaded or rejected');
    });
  }

  it('a record that is not there (PX\'s own 404) is still "no match", not fatal', async () => {
    px.reset();
    const sink = createPxSink({ baseUrl: px.baseUrl, apiKey: SECRET_KEY, type: 'USER', rate: 100 });
    const result = await load(sink, [userRow(0, 'absent')]);
    assert.equal(result.count('skipped'), 1);
    assert.equal(result.outcomes[0]?.reason, 'no match');
  });
});
