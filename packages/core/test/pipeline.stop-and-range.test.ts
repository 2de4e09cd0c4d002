import assert from 'node:assert/strict';
import { Readable, Transform, type TransformCallback, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  createStepStream,
  OUTCOME_EVENT,
  REJECTION_EVENT,
  type Rejection,
  type RowEnvelope,
  runPipeline,
  startPipeline,
} from '@pxstream/core';

/** A line source: one row per line, lines starting with "!" are rejected. */
class LineSource extends Transform {
  private index = 0;
  private tail = '';
  constructor() {
    super({ readableObjectMode: true, readableHighWaterMark: 4 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    const lines = (this.tail + chunk.toString()).split('\n');
    this.tail = lines.pop()!;
    for (const line of lines) this.emitLine(line);
    cb();
  }
  override _flush(cb: TransformCallback) {
    if (this.tail) this.emitLine(this.tail);
    cb();
  }
  private emitLine(text: string) {
    const row: RowEnvelope = { index: this.index, line: this.index + 1, fields: [text] };
    this.index++;
    if (text.startsWith('!'))
      this.emit(REJECTION_EVENT, { row, stage: 'parse', code: 'BANG', message: text });
    else this.push(row);
  }
}

const lines = (n: number, bad: (i: number) => boolean = () => false) =>
  Array.from({ length: n }, (_, i) => (bad(i) ? `!${i}` : `r${i}`)).join('\n');

function slowSink(onRow: (row: RowEnvelope) => void = () => {}) {
  const sink: Writable = new Writable({
    objectMode: true,
    highWaterMark: 2,
    write(row: RowEnvelope, _enc, cb) {
      onRow(row);
      setImmediate(() => {
        sink.emit(OUTCOME_EVENT, { row, outcome: 'updated' });
        cb();
      });
    },
  });
  return sink;
}

/** No middle stage (the gate is a stream of its own), or a step stream (the gate runs in it). */
const shapes = [
  { name: 'gate stream', stages: () => [] },
  {
    name: 'gate in the step stream',
    stages: () => [createStepStream({ stage: 'map', process: (row) => row })],
  },
];

describe('pipeline row range', () => {
  const cases: Array<[string, { first?: number; last?: number }, number[], number]> = [
    ['first only', { first: 7 }, [7, 8, 9], 3],
    ['last only', { last: 2 }, [0, 1, 2], 3],
    ['first and last', { first: 3, last: 5 }, [3, 4, 5], 3],
    ['range past the end', { first: 20 }, [], 0],
  ];
  for (const shape of shapes) {
    for (const [name, range, expected, read] of cases) {
      it(`${name} (${shape.name})`, async () => {
        const seen: number[] = [];
        const stats = await runPipeline({
          input: Readable.from([Buffer.from(lines(10))]),
          source: new LineSource(),
          onRejection: () => {},
          stages: shape.stages(),
          sink: slowSink((row) => seen.push(row.index)),
          range,
        });
        assert.deepEqual(seen, expected);
        assert.equal(stats.read, read);
        assert.equal(stats.updated, read);
      });
    }
  }

  for (const shape of shapes) {
    it(`beforeFirst sees each row before the first, and no other (${shape.name})`, async () => {
      const before: number[] = [];
      const seen: number[] = [];
      const stats = await runPipeline({
        input: Readable.from([Buffer.from(lines(10, (i) => i === 1))]),
        source: new LineSource(),
        onRejection: () => {},
        stages: shape.stages(),
        sink: slowSink((row) => seen.push(row.index)),
        range: { first: 4, last: 6, beforeFirst: (row) => before.push(row.index) },
      });
      assert.deepEqual(before, [0, 2, 3], 'rows 0-3 but the rejected one; not those after the range');
      assert.deepEqual(seen, [4, 5, 6]);
      assert.equal(stats.read, 3);
    });
  }

  it('counts only the rejections inside the range', async () => {
    const rejected: number[] = [];
    const stats = await runPipeline({
      input: Readable.from([Buffer.from(lines(10, (i) => i % 3 === 0))]),
      source: new LineSource(),
      sink: slowSink(),
      range: { first: 2, last: 6 },
      onRejection: (r) => rejected.push(r.row.index),
    });
    assert.deepEqual(rejected, [3, 6]);
    assert.equal(stats.read, 5);
    assert.equal(stats.rejected, 2);
    assert.equal(stats.updated, 3);
  });
});

describe('pipeline stop', () => {
  for (const shape of shapes)
    it(`stops reading at a row boundary and accounts for every row read (${shape.name})`, async () => {
      const total = 50_000;
      const input = Readable.from(
        (function* () {
          for (let i = 0; i < total; i += 100) yield Buffer.from(`${lines(100, (j) => (i + j) % 7 === 0)}\n`);
        })(),
      );
      const rejections: Rejection[] = [];
      let sent = 0;
      const handle = startPipeline({
        input,
        source: new LineSource(),
        stages: shape.stages(),
        sink: slowSink(() => {
          if (++sent === 500) handle.stop();
        }),
        onRejection: (r) => rejections.push(r),
      });
      const stats = await handle.done;
      assert.equal(handle.stopped, true);
      assert.ok(stats.read < total, `stopped early (read ${stats.read})`);
      assert.ok(stats.read >= 500);
      assert.equal(stats.notSent, 0, 'rows read before the stop all finished');
      assert.equal(stats.updated + stats.rejected, stats.read);
      assert.equal(rejections.length, stats.rejected);
      assert.ok(rejections.every((r) => r.row.index < stats.read));
    });

  it('abort rejects done and counts unfinished rows as not sent', async () => {
    const handle = startPipeline({
      input: Readable.from([Buffer.from(lines(1000))]),
      source: new LineSource(),
      onRejection: () => {},
      sink: slowSink((row) => {
        if (row.index === 10) handle.abort();
      }),
    });
    await assert.rejects(
      handle.done,
      (error: Error & { code?: string }) => error.code === 'PIPELINE_ABORTED',
    );
    const snap = handle.stats.snapshot();
    assert.ok(snap.read > snap.updated);
    assert.equal(snap.notSent, snap.read - snap.updated);
  });
});
