import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { PassThrough, pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { loadError } from '../errors.js';
import type { InputObject, LoadInput } from '../options.js';

/** The input of a load, opened and checked: a file, a byte stream (stdin), or plain objects. */
export interface OpenedInput {
  readonly kind: 'file' | 'stream' | 'objects';
  /** gzip-compressed (told by its magic bytes): read through gunzip, so it cannot seek. */
  readonly compressed: boolean;
  /** A resume can seek to a byte offset: an uncompressed file. */
  readonly seekable: boolean;
  /** A name for messages and the default output files: the file's base name, `stdin`... */
  readonly name: string;
  /** Absolute path, for a file. */
  readonly path: string | undefined;
  /** Size in bytes of what is read when known (uncompressed files), for percent and ETA. */
  readonly size: number | undefined;
  /** The file's size on disk, for its fingerprint (compressed too); undefined for streams. */
  readonly fileSize: number | undefined;
  /** The file's modification time (ms), for the identity of its undated events; undefined for streams. */
  readonly modifiedMs?: number | undefined;
  /**
   * Opens the input (again, for strict mode's second pass, files only): bytes from a byte
   * offset, or, for objects, an object-mode stream of them.
   */
  open(fromByte?: number): Readable;
  /**
   * The first bytes (up to `bytes`), for the fingerprint and the encoding check; empty for
   * objects. For a stream they are kept and replayed by `open()`.
   */
  head(bytes: number): Promise<Buffer>;
}

/** Checks the input can be read before anything else happens (`INPUT_UNREADABLE` otherwise). */
export async function openInput(input: LoadInput, cwd: string, streamName = 'stdin'): Promise<OpenedInput> {
  if (typeof input === 'string') return openFile(input, cwd);
  if (input instanceof Readable && !input.readableObjectMode) return openStream(input, streamName);
  if (input instanceof Readable) {
    const { bytes, stream } = await classify(input);
    return bytes ? openStream(stream, streamName) : openObjects(stream);
  }
  if (isIterable(input)) return openObjects(input);
  throw loadError(
    'LOAD_INVALID_OPTION',
    'input must be a file path, a byte Readable, or an Iterable/AsyncIterable of objects',
  );
}

function isIterable(value: unknown): value is Iterable<InputObject> | AsyncIterable<InputObject> {
  return (
    typeof value === 'object' && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value)
  );
}

async function openFile(path: string, cwd: string): Promise<OpenedInput> {
  const absolute = resolve(cwd, path);
  let size: number;
  let modifiedMs: number;
  let compressed: boolean;
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) throw new Error('is a directory');
    size = info.size;
    modifiedMs = info.mtimeMs;
    // Opening proves we may read it (permissions), not only that it exists.
    compressed = isGzip(await readHead(absolute, 2));
  } catch (error) {
    throw loadError('INPUT_UNREADABLE', `cannot read input ${path}: ${readReason(error)}`, error);
  }
  const read = (fromByte = 0) => createReadStream(absolute, { start: fromByte, highWaterMark: 64 * 1024 });
  return {
    kind: 'file',
    compressed,
    seekable: !compressed,
    name: baseName(absolute),
    path: absolute,
    size: compressed ? undefined : size,
    fileSize: size,
    modifiedMs,
    open: (fromByte = 0) => (compressed ? gunzip(read(), absolute) : read(fromByte)),
    head: (bytes: number) =>
      compressed ? firstBytes(gunzip(read(), absolute), bytes) : readHead(absolute, bytes),
  };
}

/** `users.csv.gz` -> `users`: the name of the default output files. */
function baseName(path: string): string {
  const name = basename(path).replace(/\.gz$/i, '');
  return name.slice(0, name.length - extname(name).length) || name;
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** gzip's magic bytes: warehouse exports usually arrive compressed. */
function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The decompressed bytes of a gzip stream; a corrupt one fails as an unreadable input. */
function gunzip(compressed: Readable, name: string): Readable {
  const out = new PassThrough({ highWaterMark: 64 * 1024 });
  pipeline(compressed, createGunzip(), out, (error) => {
    if (error && !out.destroyed) {
      out.destroy(
        loadError('INPUT_UNREADABLE', `cannot read input ${name}: not valid gzip (${error.message})`, error),
      );
    }
  });
  return out;
}

/** Up to `bytes` from the start of a stream that is read only for them, then closed. */
async function firstBytes(stream: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= bytes) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}

function openStream(raw: Readable, name: string): OpenedInput {
  let consumed = false;
  let stream = raw;
  let compressed = false;
  let peeked: { head: Buffer; ended: boolean } | undefined;
  const input: OpenedInput = {
    kind: 'stream',
    get compressed() {
      return compressed;
    },
    seekable: false,
    name,
    path: undefined,
    size: undefined,
    fileSize: undefined,
    open() {
      if (consumed) throw loadError('INPUT_UNREADABLE', `${name} can be read only once`);
      consumed = true;
      // The stream ended while peeking: what was read is all there is.
      if (peeked?.ended) return Readable.from(peeked.head.length > 0 ? [peeked.head] : []);
      return stream;
    },
    async head(size: number) {
      if (!peeked) {
        const first = await peekStream(raw, size, name);
        if (isGzip(first.head)) {
          // Compressed stdin: the head (and the rows) come out of gunzip.
          compressed = true;
          stream = gunzip(first.ended ? Readable.from([first.head]) : raw, name);
          peeked = await peekStream(stream, size, name);
        } else peeked = first;
      }
      return peeked.head.subarray(0, size);
    },
  };
  return input;
}

function openObjects(objects: Iterable<InputObject> | AsyncIterable<InputObject>): OpenedInput {
  let consumed = false;
  return {
    kind: 'objects',
    compressed: false,
    seekable: false,
    name: 'objects',
    path: undefined,
    size: undefined,
    fileSize: undefined,
    open() {
      if (consumed) throw loadError('INPUT_UNREADABLE', 'the objects can be read only once');
      consumed = true;
      // Not `Readable.from(iterable)` blindly: a Readable in object mode is iterable too.
      return objects instanceof Readable ? objects : Readable.from(objects, { highWaterMark: 64 });
    },
    head: async () => Buffer.alloc(0),
  };
}

/**
 * An object-mode stream carries objects, or bytes and text (`Readable.from([buffer])`): its
 * first chunk tells. The stream handed back yields that chunk first, then the rest.
 */
async function classify(stream: Readable): Promise<{ bytes: boolean; stream: Readable }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  let first: IteratorResult<unknown>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw loadError('INPUT_UNREADABLE', `cannot read the input: ${(error as Error).message}`, error);
  }
  async function* replay() {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  const value = first.value;
  const bytes = first.done === true || typeof value === 'string' || value instanceof Uint8Array;
  return { bytes, stream: Readable.from(replay(), { objectMode: true, highWaterMark: 64 }) };
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
async function peekStream(
  stream: Readable,
  size: number,
  name: string,
): Promise<{ head: Buffer; ended: boolean }> {
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
      reject(loadError('INPUT_UNREADABLE', `cannot read ${name}: ${error.message}`, error));
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
  const head = Buffer.concat(chunks);
  if (!ended && head.length > 0) stream.unshift(head);
  return { head, ended };
}
