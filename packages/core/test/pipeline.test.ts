import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  createStepStream,
  newStageCounts,
  OUTCOME_EVENT,
  REJECTION_EVENT,
  type Rejection,
  type RowEnvelope,
  type RowStep,
  runPipeline,
  startPipeline,
} from '@pxstream/core';

function source(rows: RowEnvelope[], badLines: number[] = []) {
  const counts = newStageCounts();
  const emitter = { emit: (_event: string, _value: unknown) => {} };
  const stream = Readable.from(
    (function* () {
      for (const row of rows) {
        counts.in++;
        if (badLines.includes(row.line)) {
          counts.rejected++;
          emitter.emit(REJECTION_EVENT, { row, stage: 'parse', code: 'CSV_BAD', message: 'bad' });
          continue;
        }
        counts.out++;
        yield row;
      }
    })(),
    { objectMode: true },
  );
  emitter.emit = (event, value) => stream.emit(event, value);
  return Object.assign(stream, { counts });
}

const rows = (n: number): RowEnvelope[] =>
  Array.from({ length: n }, (_, i) => ({ index: i, line: i + 2, fields: [String(i)] }));

const evenOnly: RowStep = {
  stage: 'map',
  process: (row) =>
    row.index % 2 === 0 ? row : { row, stage: 'map', code: 'MAP_ODD', message: `odd row ${row.index}` },
};
const notFour: RowStep = {
  stage: 'validate',
  process: (row) => (row.index === 4 ? { row, stage: 'validate', code: 'VAL_FOUR', message: 'four' } : row),
};

function countingSink() {
  const seen: number[] = [];
  const sink = new Writable({
    objectMode: true,
    write(row: RowEnvelope, _enc, cb) {
      seen.push(row.index);
      sink.emit(OUTCOME_EVENT, { row, outcome: row.index === 0 ? 'inserted' : 'updated' });
      cb();
    },
  });
  return { sink, seen };
}

describe('runPipeline', () => {
  it('routes every rejection to one channel and accounts for every row', async () => {
    const rejections: Rejection[] = [];
    const { sink, seen } = countingSink();
    const stats = await runPipeline({
      source: source(rows(10), [3]),
      stages: [createStepStream(evenOnly, notFour)],
      sink,
      onRejection: (r) => rejections.push(r),
    });
    assert.deepEqual(seen, [0, 2, 6, 8]);
    assert.deepEqual(
      rejections.map((r) => [r.stage, r.code, r.row.line]),
      [
        ['parse', 'CSV_BAD', 3],
        ['map', 'MAP_ODD', 5],
        ['validate', 'VAL_FOUR', 6],
        ['map', 'MAP_ODD', 7],
        ['map', 'MAP_ODD', 9],
        ['map', 'MAP_ODD', 11],
      ],
    );
    const snap = stats.snapshot();
    assert.equal(snap.read, 10);
    assert.equal(snap.inserted, 1);
    assert.equal(snap.updated, 3);
    assert.deepEqual(snap.rejectedByStage, { parse: 1, map: 4, validate: 1, send: 0 });
    assert.deepEqual(snap.rejectedByCode, { CSV_BAD: 1, MAP_ODD: 4, VAL_FOUR: 1 });
    assert.equal(snap.notSent, 0);
    assert.equal(snap.updated + snap.inserted + snap.skipped + snap.rejected, snap.read);
  });

  it('turns a step that throws into a rejection of that row, not a failed run', async () => {
    const thrower: RowStep = {
      stage: 'map',
      process: (row) => {
        if (row.index === 1) throw new Error('boom');
        return row;
      },
    };
    const rejections: Rejection[] = [];
    const { sink, seen } = countingSink();
    await runPipeline({
      source: source(rows(3)),
      stages: [createStepStream(thrower)],
      sink,
      onRejection: (r) => rejections.push(r),
    });
    assert.deepEqual(seen, [0, 2]);
    assert.equal(rejections.length, 1);
    assert.equal(rejections[0]!.code, 'INTERNAL');
    assert.equal(rejections[0]!.message, 'boom');
  });

  it('counts rows read but never finished as not sent when the sink fails', async () => {
    const sink = new Writable({
      objectMode: true,
      write(row: RowEnvelope, _enc, cb) {
        if (row.index === 2) cb(new Error('auth failed'));
        else {
          sink.emit(OUTCOME_EVENT, { row, outcome: 'updated' });
          cb();
        }
      },
    });
    const handle = startPipeline({ source: source(rows(5)), sink, onRejection: () => {} });
    await assert.rejects(handle.done, /auth failed/);
    const snap = handle.stats.snapshot();
    assert.equal(snap.updated, 2);
    assert.ok(snap.read >= 3, `read ${snap.read}`);
    assert.equal(snap.notSent, snap.read - 2);
  });
});
