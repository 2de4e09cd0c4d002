/**
 * One thread of a parallel dry run (see `parallel-dry-run.ts`): a `BlockReader` behind the
 * thread's port. Blocks in, results out (their buffers transferred); output buffers come back
 * once written.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BlockReader } from './block-reader.js';
import type { BlockJob, DryRunThreadData, RecycledOutput } from './protocol.js';

const reader = new BlockReader(workerData as DryRunThreadData);
const port = parentPort!;

port.on('message', (message: BlockJob | RecycledOutput) => {
  if ('recycled' in message) {
    reader.recycle(message.recycled);
    return;
  }
  const result = reader.read(message);
  const transfer: ArrayBuffer[] = [result.out.buffer as ArrayBuffer, result.input.buffer as ArrayBuffer];
  if (result.fingerprints) transfer.push(result.fingerprints.buffer as ArrayBuffer);
  port.postMessage(result, transfer);
});
