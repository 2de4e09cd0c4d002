import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RowEnvelope } from '@pxstream/core';
import { createPxSink, type SendGuard } from '../src/index.js';
import { SECRET_KEY } from './helpers/emulator.js';
import { everyRowEndedOnce, load, userRow } from './helpers/rows.js';
import { pxError, scripted } from './helpers/scripted.js';
import { virtualTime } from './helpers/virtual-time.js';

/**
 * Every test runs on virtual time (helpers/virtual-time.ts): PX's delays, the guard's wait and
 * the fatal grace on one clock the test moves, so which request is on the wire when is the
 * same on any machine. This wait is on the global setTimeout: a mock timer of the virtual time.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('px sink: the send guard (what the incremental-sync ledger hooks into)', () => {
  it('a verdict ends a row without a request; rows sent are reported settled with their result', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted(() => ({ status: 204 }), vt.clock);
    try {
      const settled: string[] = [];
      const guard: SendGuard = {
        // Even rows: PX holds them already. Odd rows decided after a wait (a durable mark).
        admit: (row) =>
          row.index % 2 === 0 ? { outcome: 'skipped', reason: 'unchanged' } : sleep(5).then(() => undefined),
        settled: (row, result) => settled.push(`${row.key}:${result.outcome}`),
        abandoned: () => assert.fail('nothing is abandoned'),
      };
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 1000,
        guard,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const rows = Array.from({ length: 10 }, (_, i) => userRow(i, `g-${i}`));
      const result = await vt.run(load(sink, rows));
      assert.equal(everyRowEndedOnce(result, 10), undefined);
      assert.equal(result.count('skipped'), 5);
      assert.ok(
        result.outcomes.filter((o) => o.outcome === 'skipped').every((o) => o.reason === 'unchanged'),
      );
      assert.equal(px.seen.length, 5, 'a request only for the rows the guard let through');
      assert.deepEqual(
        settled.sort(),
        ['g-1', 'g-3', 'g-5', 'g-7', 'g-9'].map((id) => `${id}:updated`),
      );
    } finally {
      await px.close();
    }
  });

  it('a row the guard skips on arrival takes no place in the sink; a row whose id is in flight waits and is asked by admit', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted(async () => {
      await vt.sleep(300);
      return { status: 204 };
    }, vt.clock);
    try {
      const skipAsked: number[] = [];
      const admitAsked: number[] = [];
      const unchanged = { outcome: 'skipped', reason: 'unchanged' } as const;
      const guard: SendGuard = {
        // PX holds every body but the first row's.
        skip: (row) => {
          skipAsked.push(row.index);
          return row.index === 0 ? undefined : unchanged;
        },
        admit: (row) => {
          admitAsked.push(row.index);
          return row.index === 0 ? undefined : unchanged;
        },
        settled: () => {},
        abandoned: () => assert.fail('nothing is abandoned'),
      };
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 1000,
        concurrency: 1,
        maxPending: 2,
        guard,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const rows = [
        userRow(0, 'slow-0'),
        userRow(1, 'u-1'),
        userRow(2, 'u-2'),
        userRow(3, 'slow-0'),
        userRow(4, 'u-4'),
      ];
      const result = await vt.run(load(sink, rows));
      assert.equal(everyRowEndedOnce(result, 5), undefined);
      assert.deepEqual(
        result.outcomes.map((o) => `${o.row.index}:${o.outcome}`),
        ['1:skipped', '2:skipped', '4:skipped', '0:updated', '3:skipped'],
        'rows 1, 2 and 4 ended while slow-0 was on the wire; row 3 (same id) waited for it',
      );
      assert.deepEqual(
        skipAsked,
        [0, 1, 2, 4],
        'row 3 arrived while its id was in flight: not asked on arrival',
      );
      assert.deepEqual(admitAsked, [0, 3], 'admit decides the rows that took a place');
      assert.equal(px.seen.length, 1);
    } finally {
      await px.close();
    }
  });

  it('a fatal answer: the row PX answered is not in doubt, the row on the wire is, the rows waiting are not', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted(async (request) => {
      if (request.url.endsWith('/r-1')) {
        await vt.sleep(50);
        return { status: 401, body: pxError('UNAUTHORIZED', 'bad key') };
      }
      await vt.sleep(5000); // r-2 is on the wire when the 401 comes back, and past the grace
      return { status: 204 };
    }, vt.clock);
    try {
      const abandoned = new Map<string, boolean>();
      const guard: SendGuard = {
        admit: () => undefined,
        settled: () => {},
        abandoned: (row: RowEnvelope, maybe) => abandoned.set(String(row.key), maybe),
      };
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 1000,
        concurrency: 2,
        guard,
        fatalGraceMs: 300,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      const rows = [userRow(0, 'r-1'), userRow(1, 'r-2'), userRow(2, 'r-3'), userRow(3, 'r-4')];
      await assert.rejects(vt.run(load(sink, rows)), { code: 'PX_AUTH_FAILED' });
      assert.equal(abandoned.get('r-1'), false, 'answered 401: PX applied nothing');
      assert.equal(abandoned.get('r-2'), true, 'on the wire when the run stopped: in doubt');
      assert.equal(abandoned.get('r-3'), false, 'waiting for a slot: never sent');
    } finally {
      await px.close();
    }
  });

  it('after a fatal answer, a request on the wire that gets its answer within the grace ends as usual', async (t) => {
    const vt = virtualTime(t);
    const px = await scripted(async (request) => {
      if (request.url.endsWith('/r-1')) {
        await vt.sleep(50);
        return { status: 401, body: pxError('UNAUTHORIZED', 'bad key') };
      }
      await vt.sleep(200);
      return { status: 204 };
    }, vt.clock);
    try {
      const settled: string[] = [];
      const abandoned = new Map<string, boolean>();
      const guard: SendGuard = {
        admit: () => undefined,
        settled: (row, result) => settled.push(`${row.key}:${result.outcome}`),
        abandoned: (row: RowEnvelope, maybe) => abandoned.set(String(row.key), maybe),
      };
      const sink = createPxSink({
        baseUrl: px.baseUrl,
        apiKey: SECRET_KEY,
        type: 'USER',
        rate: 1000,
        concurrency: 2,
        guard,
        clock: vt.clock,
      });
      vt.watch(sink.client);
      await assert.rejects(vt.run(load(sink, [userRow(0, 'r-1'), userRow(1, 'r-2'), userRow(2, 'r-3')])), {
        code: 'PX_AUTH_FAILED',
      });
      assert.deepEqual(settled, ['r-2:updated'], 'r-2 was answered 204 after the 401: counted, not in doubt');
      assert.equal(abandoned.get('r-2'), undefined);
      assert.equal(abandoned.get('r-1'), false);
      assert.equal(
        px.seen.some((r) => r.url.endsWith('/r-3')),
        false,
        'nothing started after the 401',
      );
    } finally {
      await px.close();
    }
  });
});
