import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import {
  createStepStream,
  REJECTION_EVENT,
  type Rejection,
  type RowEnvelope,
  type RowStep,
  startPipeline,
} from '../src/index.js';

const rows = (n: number): RowEnvelope[] =>
  Array.from({ length: n }, (_, index) => ({ index, line: index + 2, fields: { n: index } }));

/** Rejects every third row. */
const picky: RowStep = {
  stage: 'validate',
  process: (row) =>
    row.index % 3 === 2 ? { row, stage: 'validate', code: 'TEST_PICKY', message: 'third row' } : row,
};

const discard = () =>
  new Writable({
    objectMode: true,
    write(_row, _encoding, callback) {
      callback();
    },
  });

describe('a rejection is never lost for want of a listener', () => {
  it('a stage piped by hand with no "rejection" listener fails with REJECTION_UNHANDLED at its first rejection', async () => {
    const steps = createStepStream(picky);
    await assert.rejects(pipeline(Readable.from(rows(10)), steps, discard()), {
      code: 'REJECTION_UNHANDLED',
      line: 4,
      message: /line 4 was rejected \(TEST_PICKY: third row\) and no one listens for rejections/,
    });
  });

  it('with a listener the rejections are events and the flow goes on', async () => {
    const steps = createStepStream(picky);
    const seen: Rejection[] = [];
    steps.on(REJECTION_EVENT, (rejection: Rejection) => seen.push(rejection));
    await pipeline(Readable.from(rows(10)), steps, discard());
    assert.deepEqual(
      seen.map((r) => r.row.index),
      [2, 5, 8],
    );
  });

  it('startPipeline routes every rejection to its required onRejection', async () => {
    const seen: number[] = [];
    const stats = await startPipeline({
      source: Readable.from(rows(9)),
      stages: [createStepStream(picky)],
      sink: discard(),
      onRejection: (rejection) => seen.push(rejection.row.index),
    }).done;
    assert.deepEqual(seen, [2, 5, 8]);
    assert.equal(stats.rejected, 3);
  });
});
