import {
  createRedactor,
  isRejection,
  type Rejection,
  type RowEnvelope,
  type RowStep,
  runStep,
} from '@pxstream/core';
import { CsvEngine } from '@pxstream/source-csv';
import { fingerprint } from '../run/repeat-counter.js';
import { buildRowStages } from '../run/stages.js';
import type { BlockJob, BlockResult, DryRunThreadData } from './protocol.js';
import { DRY_RUN_BATCH_CHARS } from './sink.js';

/** Spare output buffers kept at most (the blocks out at once, and one). */
const MAX_SPARE_OUTPUTS = 3;

/**
 * Reads blocks of CSV records for a parallel dry run (see `parallel-dry-run.ts`), on whichever
 * thread holds it: its own CSV engine per block, its own compiled mapper and validator, the
 * same steps as the one-thread dry run on the same bytes. Returns each block's bodies as UTF-8
 * JSON lines, with the rejections and the ids' fingerprints.
 */
export class BlockReader {
  private readonly steps: readonly RowStep[];
  private readonly redact: (text: string) => string;
  /** Output buffers handed back once written (see `Utf8Output`). */
  private readonly spareOutputs: ArrayBuffer[] = [];

  constructor(private readonly data: DryRunThreadData) {
    const stages = buildRowStages(data.type, data.config, data.metadata);
    stages.mapper.checkColumns(data.columns);
    this.steps = stages.rowSteps;
    this.redact = createRedactor(data.secrets);
  }

  /** An output buffer written and let go of: the next blocks may fill it again. */
  recycle(buffer: ArrayBuffer): void {
    if (this.spareOutputs.length < MAX_SPARE_OUTPUTS) this.spareOutputs.push(buffer);
  }

  read(job: BlockJob): BlockResult {
    const { data, steps, redact } = this;
    const out = new Utf8Output(job.bytes.byteLength * 3, this.spareOutputs);
    let batch = '';
    let bodies = 0;
    const rejections: Rejection[] = [];
    const ids: number[] | undefined = data.countRepeats ? [] : undefined;
    const engine = new CsvEngine(
      {
        delimiter: data.delimiter,
        maxRecordSize: data.maxRecordSize,
        resumeFrom: { columns: data.columns, line: job.line, index: 0, byteOffset: job.byteOffset },
      },
      {
        header: () => {},
        row: (row) => {
          let current: RowEnvelope = row;
          for (const step of steps) {
            const result = runStep(step, current);
            if (isRejection(result)) {
              rejections.push(result);
              return;
            }
            current = result;
          }
          batch += `${JSON.stringify(current.body)}\n`;
          bodies++;
          if (ids && current.key !== undefined) ids.push(fingerprint(current.key));
          // Whole lines only: the key cannot straddle a batch's edge, so one pass redacts them all.
          if (batch.length >= DRY_RUN_BATCH_CHARS) {
            out.write(redact(batch));
            batch = '';
          }
        },
        rejection: (rejection) => rejections.push(rejection),
      },
    );
    engine.write(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength));
    engine.end();
    if (batch !== '') out.write(redact(batch));
    return {
      seq: job.seq,
      input: job.bytes,
      out: out.bytes(),
      rows: engine.counts.in,
      bodies,
      rejections,
      fingerprints: ids ? Float64Array.from(ids) : undefined,
    };
  }
}

/**
 * The UTF-8 bytes of a block's bodies, in a buffer of their own (it may be transferred to the
 * main thread, so never a slice of Node's shared pool), which comes back once written when the
 * output lets go of what it wrote. Batches of about 16K characters are encoded in one pass each, as the one-thread sink does: one string of a whole block's bodies (2-3 MB,
 * 7,000 parts) cost twice as much to flatten and encode, and its garbage a full GC now and then.
 */
class Utf8Output {
  private buffer: Buffer;
  private length = 0;

  /** Room for `expected` bytes: a spare buffer handed back, else a new one. */
  constructor(expected: number, spares: ArrayBuffer[]) {
    const size = Math.max(expected, 64 * 1024);
    const at = spares.findIndex((buffer) => buffer.byteLength >= size);
    this.buffer =
      at >= 0 ? Buffer.from(spares.splice(at, 1)[0]!) : Buffer.from(new ArrayBuffer(size + (size >> 3)));
  }

  write(text: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    const need = this.length + text.length * 3;
    if (need > this.buffer.length) {
      const bigger = Buffer.from(new ArrayBuffer(Math.max(need, this.buffer.length * 2)));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    this.length += this.buffer.write(text, this.length);
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
