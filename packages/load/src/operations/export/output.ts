/**
 * Where an export's text goes: a file, gzip-compressed when its name ends in `.gz`, or a stream
 * (stdout). A file is written under `<name>.partial` and renamed when the export is complete,
 * so a file of the final name is always a whole export; a stopped or failed export removes it.
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PxStreamError } from '@pxstream/core';
import { loadError } from '../../errors.js';
import { checkWritable } from '../../run/files.js';

/**
 * Text is gathered up to this many characters before it is written: one `write()` per record
 * would cost a stream call per line; 64 KiB is the file streams' own buffer size.
 */
const CHUNK_CHARS = 64 * 1024;

export interface ExportOutputHandle {
  /** The file's absolute path, or `stream`. */
  readonly name: string;
  /** Takes text; resolves when more may come (the stream's buffer has room). */
  write(text: string): Promise<void> | undefined;
  /** Writes what is left, closes a file and gives it its name. */
  finish(): Promise<void>;
  /** Gives up: a file's partial text is removed. */
  discard(): Promise<void>;
}

export const isGzipPath = (path: string): boolean => /\.gz$/i.test(path);

/**
 * A file output: checked writable first, then written under `<path>.partial`. `what` names it in
 * messages (verify's differences file uses it too).
 */
export async function openFileOutput(path: string, what = 'export file'): Promise<ExportOutputHandle> {
  await checkWritable(path, what);
  const partial = `${path}.partial`;
  const file = createWriteStream(partial);
  await new Promise<void>((resolve, reject) => {
    file.once('open', () => resolve());
    file.once('error', (error) =>
      reject(
        loadError('LOAD_OUTPUT_UNWRITABLE', `cannot write the ${what} ${partial}: ${error.message}`, error),
      ),
    );
  });
  const gzip = isGzipPath(path) ? createGzip() : undefined;
  const head: Writable = gzip ?? file;
  const done = gzip ? pipeline(gzip, file) : finished(file);
  const failure = (error: unknown) =>
    loadError(
      'LOAD_OUTPUT_UNWRITABLE',
      `cannot write the ${what} ${path}: ${(error as Error).message}`,
      error,
    );
  const writer = new ChunkWriter(head, failure);
  // A failure is read from the writer; this keeps it from going unhandled meanwhile.
  done.catch(() => {});
  return {
    name: path,
    write: (text) => writer.write(text),
    async finish() {
      await writer.flush();
      head.end();
      await done.catch((error: unknown) => {
        throw failure(error);
      });
      await rename(partial, path).catch((error: unknown) => {
        throw failure(error);
      });
    },
    async discard() {
      head.destroy();
      file.destroy();
      await unlink(partial).catch(() => {});
    },
  };
}

/** A stream output (stdout): left open at the end; a reader gone away (`| head`) is `OUTPUT_CLOSED`. */
export function streamOutput(stream: Writable): ExportOutputHandle {
  const writer = new ChunkWriter(
    stream,
    (error) =>
      new PxStreamError(
        'OUTPUT_CLOSED',
        `the output was closed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the export stopped there`,
        { fatal: true, cause: error },
      ),
  );
  return {
    name: 'stream',
    write: (text) => writer.write(text),
    async finish() {
      await writer.flush();
      writer.detach();
    },
    discard: async () => writer.detach(),
  };
}

/** Gathers text into chunks and writes them with backpressure; the stream's first error ends it. */
class ChunkWriter {
  private buffer = '';
  private error: Error | undefined;
  private readonly onError = (error: Error) => {
    this.error ??= this.failure(error);
  };

  constructor(
    private readonly stream: Writable,
    private readonly failure: (error: unknown) => Error,
  ) {
    stream.on('error', this.onError);
  }

  write(text: string): Promise<void> | undefined {
    if (this.error) throw this.error;
    this.buffer += text;
    if (this.buffer.length < CHUNK_CHARS) return undefined;
    return this.flush();
  }

  async flush(): Promise<void> {
    if (this.error) throw this.error;
    const chunk = this.buffer;
    this.buffer = '';
    if (chunk === '' || this.stream.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        if (this.error) reject(this.error);
        else resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  detach(): void {
    this.stream.off('error', this.onError);
  }
}
