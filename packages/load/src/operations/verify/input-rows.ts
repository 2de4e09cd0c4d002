/**
 * One pass over a verify's input: the load's source, mapper and validator, so each row ends as
 * the body a load would send (or as the rejection a load would write), handed to a callback.
 */
import { Writable } from 'node:stream';
import { type Rejection, type RowEnvelope, startPipeline } from '@pxstream/core';
import type { OpenedInput } from '../../run/input.js';
import { createSource, type RowStages } from '../../run/stages.js';
import type { SourceFormat } from '../../settings.js';

export interface InputPass {
  input: OpenedInput;
  format: SourceFormat;
  stages: RowStages;
  /** Each row the mapper and validator passed (`key` and `body` set); a promise holds the next row back. */
  onRow: (row: RowEnvelope) => void | Promise<void>;
  onRejection: (rejection: Rejection) => void;
  signal?: AbortSignal | undefined;
}

/** Reads the input once; resolves to the rows read (rejected ones included). */
export async function readInputRows(pass: InputPass): Promise<number> {
  const { input, stages, signal } = pass;
  const source = await createSource(input, pass.format);
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 256,
    write(row: RowEnvelope, _encoding, callback) {
      let pending: void | Promise<void>;
      try {
        pending = pass.onRow(row);
      } catch (error) {
        callback(error as Error);
        return;
      }
      if (pending === undefined) callback();
      else pending.then(() => callback(), callback);
    },
  });
  const handle = startPipeline({
    input: input.open(),
    source,
    stages: [stages.steps()],
    sink,
    onRejection: pass.onRejection,
  });
  source.on('header', (columns: readonly string[]) => {
    try {
      stages.mapper.checkColumns(columns);
    } catch (error) {
      handle.abort(error);
    }
  });
  const stop = () => handle.stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const stats = await handle.done;
    return stats.read;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
