import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { OUTCOME_EVENT, type RowEnvelope } from '@pxstream/core';
import { createDryRunSink, DRY_RUN_BATCH_CHARS } from '../src/dry-run/sink.js';

const rows = (n: number): RowEnvelope[] =>
  Array.from({ length: n }, (_, index) => ({
    index,
    line: index + 2,
    fields: [],
    body: { identifyId: `user-${index}`, email: `user${index}@example.com`, score: index % 100 },
  }));

/** An output that records each write, answering `false` (and draining later) when asked. */
function recorder(options: { drainAfterMs?: number; neverDrain?: boolean } = {}) {
  const writes: string[] = [];
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString());
      if (options.neverDrain) return; // the reader went to sleep
      setTimeout(callback, options.drainAfterMs ?? 0);
    },
  });
  return { out, writes };
}

describe('dry-run sink: body lines batched, backpressure kept', () => {
  it('writes the same bytes as one line per row, in about one write per 16K characters', async () => {
    const input = rows(20_000);
    const expected = input.map((row) => `${JSON.stringify(row.body)}\n`).join('');
    const { out, writes } = recorder();
    const sink = createDryRunSink(out, (text) => text);
    let outcomes = 0;
    sink.on(OUTCOME_EVENT, () => outcomes++);
    await pipeline(Readable.from(input), sink);
    assert.equal(writes.join(''), expected);
    assert.equal(outcomes, input.length);
    const most = Math.ceil(expected.length / DRY_RUN_BATCH_CHARS) * 2;
    assert.ok(writes.length <= most, `${writes.length} writes for ${expected.length} characters`);
    assert.ok(
      writes.every((text) => text.endsWith('\n')),
      'only whole lines per write',
    );
  });

  it('a reader that stops reading stops the rows: no more than a batch and a buffer are taken', async () => {
    const { out } = recorder({ neverDrain: true });
    const sink = createDryRunSink(out, (text) => text);
    let taken = 0;
    sink.on(OUTCOME_EVENT, () => taken++);
    const source = Readable.from(rows(100_000));
    pipeline(source, sink).catch(() => {});
    await sleep(300);
    const perBatch = Math.ceil(DRY_RUN_BATCH_CHARS / 60);
    assert.ok(taken > 0 && taken <= perBatch + 64 + 1, `${taken} rows taken while the output was full`);
    source.destroy();
    sink.destroy();
  });

  it('redacts each batch (whole lines), and flushes what is left at the end', async () => {
    const { out, writes } = recorder({ drainAfterMs: 1 });
    const sink = createDryRunSink(out, (text) => text.replaceAll('user7@', '[REDACTED]@'));
    await pipeline(Readable.from(rows(10)), sink);
    const text = writes.join('');
    assert.equal(text.split('\n').length, 11);
    assert.ok(text.includes('[REDACTED]@example.com') && !text.includes('user7@'));
  });
});
