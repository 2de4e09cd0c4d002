import { PassThrough, pipeline, Readable } from 'node:stream';
import type { OpenedInput } from '../../run/input.js';

/**
 * A delete reads its input twice: once to count its ids (the cap comes before any request),
 * once to delete them. A file is simply opened again; a stream (stdin) or objects can be read
 * only once, so what the first read sees is kept in memory and given again to the second. Give
 * a file for a large deletion: a stream is held whole (its bytes, or its objects).
 */
export function readableTwice(input: OpenedInput): OpenedInput {
  if (input.kind === 'file') return input;
  let held: unknown[] | undefined;
  let objectMode = false;
  return {
    get kind() {
      return input.kind;
    },
    get compressed() {
      return input.compressed;
    },
    seekable: false,
    name: input.name,
    path: input.path,
    size: input.size,
    fileSize: input.fileSize,
    modifiedMs: input.modifiedMs,
    head: (bytes) => input.head(bytes),
    open() {
      if (held) return Readable.from(held, { objectMode });
      held = [];
      const chunks = held;
      const source = input.open();
      objectMode = source.readableObjectMode;
      const keep = new PassThrough({ objectMode, highWaterMark: objectMode ? 64 : 64 * 1024 });
      keep.on('data', (chunk: unknown) => chunks.push(chunk));
      const out = new PassThrough({ objectMode, highWaterMark: objectMode ? 64 : 64 * 1024 });
      pipeline(source, keep, out, () => {});
      return out;
    },
  };
}
