/**
 * One thread of a parallel dry run (see `parallel-dry-run.ts`): reads blocks of CSV records
 * with its own CSV engine, maps and validates their rows with its own compiled mapper and
 * validator, and returns the bodies as UTF-8 JSON lines with the rejections and the ids'
 * fingerprints. The same steps as the one-thread dry run, on the same bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRedactor, isRejection, type Rejection, type RowEnvelope, runStep } from '@pxstream/core';
import { CsvEngine } from '@pxstream/source-csv';
import type { BlockJob, BlockResult, DryRunThreadData } from './dry-run-protocol.js';
import { DRY_RUN_BATCH_CHARS } from './dry-run-sink.js';
import { fingerprint } from './repeat-counter.js';
import { buildRowStages } from './stages.js';

const data = workerData as DryRunThreadData;
const stages = buildRowStages(data.type, data.config, data.metadata);
stages.mapper.checkColumns(data.columns);
const steps = stages.rowSteps;
const redact = createRedactor(data.secrets);
const port = parentPort!;

port.on('message', (job: BlockJob) => {
  const result = readBlock(job);
  const transfer: ArrayBuffer[] = [result.out.buffer as ArrayBuffer];
  if (result.fingerprints) transfer.push(result.fingerprints.buffer as ArrayBuffer);
  port.postMessage(result, transfer);
});

function readBlock(job: BlockJob): BlockResult {
  const out = new Utf8Output(job.bytes.byteLength * 3);
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
    out: out.bytes(),
    rows: engine.counts.in,
    bodies,
    rejections,
    fingerprints: ids ? Float64Array.from(ids) : undefined,
  };
}

/**
 * The UTF-8 bytes of a block's bodies, in a buffer of their own (it is transferred to the main
 * thread, so never a slice of Node's shared pool). Batches of about 16K characters are encoded
 * in one pass each, as the one-thread sink does: one string of a whole block's bodies (2-3 MB,
 * 7,000 parts) cost twice as much to flatten and encode, and its garbage a full GC now and then.
 */
class Utf8Output {
  private buffer: Buffer;
  private length = 0;

  constructor(expected: number) {
    this.buffer = Buffer.allocUnsafeSlow(Math.max(expected, 64 * 1024));
  }

  write(text: string): void {
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    const need = this.length + text.length * 3;
    if (need > this.buffer.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(need, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    this.length += this.buffer.write(text, this.length);
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
