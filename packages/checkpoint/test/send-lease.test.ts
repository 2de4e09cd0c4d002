import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { isRejection, EVENT_MAYBE_RECORDED as MAYBE_RECORDED, type RowEnvelope } from '@pxstream/core';
import { maybeRecordedStep, SendLease } from '../src/send-lease.js';

const row = (index: number): RowEnvelope => ({ index, line: index + 2, fields: [`e${index}`] });

describe('SendLease (CUSTOM_EVENT crash safety)', () => {
  it('hands no row to the sink beyond the ceiling a written checkpoint covers', async () => {
    const lease = new SendLease(10, -1);
    const written: number[] = [];
    const events: string[] = [];
    // The checkpoint write: records the ceiling, then (once on disk) grants it.
    const write = async () => {
      const ceiling = lease.ceiling();
      await new Promise((resolve) => setTimeout(resolve, 1));
      written.push(ceiling);
      events.push(`write ${ceiling}`);
      lease.written(ceiling);
    };
    await write(); // the checkpoint written at the start
    await pipeline(
      Readable.from(Array.from({ length: 35 }, (_, i) => row(i))),
      lease.gate(write),
      new Writable({
        objectMode: true,
        write(r: RowEnvelope, _encoding, callback) {
          events.push(`send ${r.index}`);
          callback();
        },
      }),
    );
    let covered = -1;
    for (const event of events) {
      const [kind, n] = event.split(' ') as [string, string];
      if (kind === 'write') covered = Number(n);
      else
        assert.ok(Number(n) <= covered, `row ${n} sent with only ${covered} covered: ${events.join(', ')}`);
    }
    // Each forced write covers the waiting row and `step` rows beyond it.
    assert.deepEqual(written, [9, 20, 31, 42]);
    // The last checkpoint records what was really handed, not the lease ahead of it.
    lease.close();
    assert.equal(lease.ceiling(), 34);
  });

  it('a resume inherits the ceiling: its checkpoints never record less', () => {
    const lease = new SendLease(5, 40);
    assert.equal(lease.ceiling(), 45);
    lease.close();
    assert.equal(lease.ceiling(), 40);
  });

  it('the resume step rejects the valid rows that may have been sent, and only those', () => {
    const step = maybeRecordedStep(10, 12);
    const results = [9, 10, 12, 13].map((i) => step.process(row(i)));
    assert.deepEqual(
      results.map((r) => (isRejection(r) ? `${r.row.index} ${r.stage} ${r.code}` : `${r.index} ok`)),
      ['9 ok', `10 send ${MAYBE_RECORDED}`, `12 send ${MAYBE_RECORDED}`, '13 ok'],
    );
  });
});
