import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RowEnvelope, RowOutcome } from '@pxstream/core';
import { type Settlement, Watermark } from '../src/index.js';

const row = (index: number): RowEnvelope => ({
  index,
  line: index + 2,
  fields: [`id${index}`],
  endOffset: (index + 1) * 10,
});
const updated = (index: number): Settlement => ({ row: row(index), outcome: 'updated' });
const rejected = (index: number): Settlement => ({
  row: row(index),
  stage: 'send',
  code: 'PX_HTTP_400',
  status: 400,
  message: 'bad',
});
const after = (r: RowEnvelope) => ({ index: r.index + 1, byteOffset: r.endOffset ?? 0 });

describe('Watermark', () => {
  it('commits in row order when rows finish out of order; the watermark is the lowest unfinished row', () => {
    const committed: number[] = [];
    const ledger = new Watermark({
      firstIndex: 0,
      resumeAfter: after,
      onCommit: (s) => committed.push(index(s)),
    });
    ledger.settle(updated(2));
    ledger.settle(rejected(1));
    assert.equal(ledger.watermark, 0);
    assert.equal(ledger.resumePoint, undefined);
    assert.equal(ledger.heldCount, 2);
    ledger.settle(updated(0));
    assert.deepEqual(committed, [0, 1, 2]);
    assert.equal(ledger.watermark, 3);
    assert.deepEqual(ledger.resumePoint, { index: 3, byteOffset: 30 });
    assert.equal(ledger.heldCount, 0);
    assert.equal(ledger.committed.read, 3);
    assert.equal(ledger.committed.updated, 2);
    assert.equal(ledger.committed.rejected, 1);
  });

  it('an outcome held above the watermark keeps its counts and resume point, not its row', () => {
    // As csvResumeAfter does: the next line counts the line breaks inside the row's cells.
    const afterCells = (r: RowEnvelope) => ({
      index: r.index + 1,
      line: r.line + 1 + (r.fields as string[]).join('').split('\n').length - 1,
    });
    const committed: Settlement[] = [];
    const ledger = new Watermark({
      firstIndex: 0,
      resumeAfter: afterCells,
      onCommit: (s) => committed.push(s),
    });
    const multiline: RowEnvelope = {
      index: 1,
      line: 3,
      fields: ['a\nb', 'c\nd'],
      body: { big: 'x'.repeat(1000) },
    };
    ledger.settle({ row: multiline, outcome: 'skipped', reason: 'unchanged' });
    ledger.settle(updated(0));
    assert.deepEqual(
      ledger.resumePoint,
      { index: 2, line: 6 },
      'computed from the cells when the row was held',
    );
    assert.equal(ledger.committed.skippedByReason.get('unchanged'), 1);
    const held = committed[1] as RowOutcome;
    assert.deepEqual(
      { index: held.row.index, line: held.row.line, outcome: held.outcome, reason: held.reason },
      { index: 1, line: 3, outcome: 'skipped', reason: 'unchanged' },
    );
    assert.equal(held.row.body, undefined, 'the body was not kept while the row waited');
  });

  it('counts only committed rows: a row finished above a gap is not promised', () => {
    const ledger = new Watermark({ firstIndex: 5, resumeAfter: after });
    ledger.settle(updated(5));
    ledger.settle(updated(7));
    assert.equal(ledger.watermark, 6);
    assert.equal(ledger.committed.read, 1);
    assert.deepEqual(
      ledger.takeHeld().map((s) => index(s)),
      [7],
    );
  });

  it('refuses a row settled twice (a sink bug would otherwise corrupt the counts)', () => {
    const ledger = new Watermark({ firstIndex: 0, resumeAfter: after });
    ledger.settle(updated(1));
    assert.throws(() => ledger.settle(updated(1)), /settled twice/);
    ledger.settle(updated(0));
    assert.throws(() => ledger.settle(updated(0)), /settled twice/);
  });

  it('returns held rows in row order', () => {
    const ledger = new Watermark({ firstIndex: 0, resumeAfter: after });
    for (const i of [9, 3, 6, 4]) ledger.settle(updated(i));
    assert.deepEqual(
      ledger.takeHeld().map((s) => index(s)),
      [3, 4, 6, 9],
    );
    assert.equal(ledger.heldCount, 0);
  });
});

function index(settlement: Settlement): number {
  return settlement.row.index;
}
