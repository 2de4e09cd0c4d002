import { Writable } from 'node:stream';
import { OUTCOME_EVENT, type RowEnvelope } from '@pxstream/core';

/**
 * The dry-run sink: writes each body that would be sent as one JSON object per line (so the
 * output pipes into jq), honouring the output's backpressure, and sends nothing. Without an
 * output the bodies are only counted.
 */
export function createDryRunSink(
  out: NodeJS.WritableStream | undefined,
  redact: (text: string) => string,
): Writable {
  const sink: Writable = new Writable({
    objectMode: true,
    highWaterMark: 64,
    write(row: RowEnvelope, _encoding, callback) {
      const ok = out ? out.write(`${redact(JSON.stringify(row.body))}\n`) : true;
      sink.emit(OUTCOME_EVENT, { row, outcome: 'dry-run' });
      if (ok) callback();
      else out!.once('drain', () => callback());
    },
  });
  return sink;
}

/** A sink that drops every row: strict mode's checking pass. */
export function createDiscardSink(): Writable {
  return new Writable({
    objectMode: true,
    highWaterMark: 64,
    write(_row, _encoding, callback) {
      callback();
    },
  });
}
