import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CliError, EXIT } from './exit-codes.js';

export interface OpenedInput {
  /** A name for messages and the default rejects file: the file's base name, or `stdin`. */
  readonly name: string;
  /** Absolute path, or undefined for stdin. */
  readonly path: string | undefined;
  /** Size in bytes when known (files), for percent and ETA. */
  readonly size: number | undefined;
  /** Opens the byte stream (again, for strict mode's second pass), from a byte offset. */
  open(fromByte?: number): Readable;
  /** Bytes read so far by the streams opened. */
  bytesRead(): number;
  /**
   * The first bytes of the input (up to `bytes`), for its fingerprint and encoding check. For
   * stdin they are kept and replayed by `open()`.
   */
  head(bytes: number): Promise<Buffer>;
}

/** Checks the input is a readable file before anything else happens (fatal otherwise). */
export async function openInput(
  path: string | undefined,
  cwd: string,
  stdin: Readable,
): Promise<OpenedInput> {
  if (path === undefined) {
    let consumed = false;
    let bytes = 0;
    let peeked: { head: Buffer; ended: boolean } | undefined;
    return {
      name: 'stdin',
      path: undefined,
      size: undefined,
      open() {
        if (consumed) throw new CliError('stdin can be read only once', EXIT.FATAL);
        consumed = true;
        // stdin ended while peeking: what was read is all there is.
        const stream = peeked?.ended ? Readable.from(peeked.head.length > 0 ? [peeked.head] : []) : stdin;
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        return stream;
      },
      bytesRead: () => bytes,
      async head(size: number) {
        peeked ??= await peekStream(stdin, size);
        return peeked.head.subarray(0, size);
      },
    };
  }
  const absolute = resolve(cwd, path);
  let size: number;
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) throw new Error('is a directory');
    size = info.size;
    // Opening proves we may read it (permissions), not only that it exists.
    await (await open(absolute, 'r')).close();
  } catch (error) {
    throw new CliError(`cannot read input ${path}: ${readReason(error)}`, EXIT.FATAL);
  }
  let bytes = 0;
  const streams: Array<{ bytesRead: number }> = [];
  return {
    name: basename(absolute, extname(absolute)),
    path: absolute,
    size,
    open(fromByte = 0) {
      const stream = createReadStream(absolute, { start: fromByte, highWaterMark: 64 * 1024 });
      streams.push(stream);
      bytes = fromByte;
      return stream;
    },
    bytesRead: () => bytes + (streams.at(-1)?.bytesRead ?? 0),
    async head(size: number) {
      const handle = await open(absolute, 'r');
      try {
        const buffer = Buffer.alloc(size);
        const { bytesRead } = await handle.read(buffer, 0, size, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
  };
}

/** The reason a file cannot be read, in words rather than errno codes. */
function readReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/**
 * Reads up to `size` bytes of a stream without losing them: they are pushed back with
 * `unshift` for the real read, unless the stream ended meanwhile.
 */
async function peekStream(stream: Readable, size: number): Promise<{ head: Buffer; ended: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  const ended = await new Promise<boolean>((resolve, reject) => {
    const finish = (value: boolean) => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      resolve(value);
    };
    const onReadable = () => {
      for (
        let chunk = stream.read() as Buffer | null;
        chunk !== null;
        chunk = stream.read() as Buffer | null
      ) {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= size) {
          finish(false);
          return;
        }
      }
    };
    const onEnd = () => finish(true);
    const onError = (error: Error) => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      reject(new CliError(`cannot read stdin: ${error.message}`, EXIT.FATAL));
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
  const head = Buffer.concat(chunks);
  if (!ended && head.length > 0) stream.unshift(head);
  return { head, ended };
}
