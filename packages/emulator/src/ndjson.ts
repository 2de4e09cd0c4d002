/** NDJSON in and out, streamed: lines parsed as they arrive, records written with backpressure. */
import type { ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';

/** Calls `onLine` for every non-blank line of a byte stream (1-based line numbers). */
export async function forEachLine(
  source: AsyncIterable<Buffer>,
  onLine: (line: string, lineNumber: number) => void,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNumber = 0;
  const flush = (text: string) => {
    lineNumber++;
    if (text.trim() !== '') onLine(text, lineNumber);
  };
  for await (const chunk of source) {
    const pieces = (rest + decoder.write(chunk)).split('\n');
    rest = pieces.pop()!;
    for (const piece of pieces) flush(piece);
  }
  rest += decoder.end();
  if (rest !== '') flush(rest);
}

const BATCH_CHARS = 64 * 1024;

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes one JSON line per item, in batches, waiting for `drain` whenever `write` says so. */
export async function writeNdjson(res: ServerResponse, items: Iterable<unknown>): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
  let batch = '';
  for (const item of items) {
    batch += `${JSON.stringify(item)}\n`;
    if (batch.length >= BATCH_CHARS) {
      if (res.destroyed) return;
      const ok = res.write(batch);
      batch = '';
      if (!ok) await drained(res);
    }
  }
  if (!res.destroyed) res.end(batch);
}
