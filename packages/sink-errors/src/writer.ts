import { close, constants, fstat, ftruncate, open, write } from 'node:fs';
import { isatty } from 'node:tty';
import { promisify } from 'node:util';
import type { Redactor, Rejection } from '@pxstream/core';
import { checkDelimiter, formatCsvRejection, rejectsCsvHeader } from './csv-format.js';
import { invalidOption, type RejectsError, rejectsWriteFailed } from './errors.js';
import { FileQueue, type QueueStats } from './file-queue.js';
import { formatJsonlRejection } from './jsonl-format.js';

export interface RejectsWriterOptions {
  path: string;
  /** The input's format: CSV rejects keep its columns, JSON-lines rejects its objects. */
  format: 'csv' | 'jsonl';
  /** Applied to every text written (values, messages, raw rows, column names): hides the API key. */
  redact?: Redactor;
  /** CSV delimiter, the input's. Default `,`; `setColumns` may change it before the first line. */
  delimiter?: string;
  /** The input's header (CSV), when known at open; else see `setColumns`. */
  columns?: readonly string[];
  /**
   * Continue the file of an interrupted run: cut it back to `bytes` (its size at the
   * checkpoint) and append. A CSV header is then not written again (unless `bytes` is 0).
   */
  resume?: { bytes: number };
  /** Called once, asynchronously, if a write fails after the open (the run should stop). */
  onError?: (error: RejectsError) => void;
  /** Bound of the in-memory queue in bytes (default 1 MiB); see `FileQueue`. */
  maxQueuedBytes?: number;
}

export interface RejectsWriter {
  readonly path: string;
  /** Rejections taken so far (in the file once flushed). */
  readonly count: number;
  /** Rejections not written: they came after a write failure or after `close()`. */
  readonly dropped: number;
  /** True when this writer created the file (it did not exist): the caller may remove it if empty. */
  readonly createdEmpty: boolean;
  /** Bytes handed to the writer so far, resumed bytes included: the file's size once flushed. */
  readonly bytesWritten: number;
  /** The first write failure (`REJECTS_WRITE_FAILED`), if any. Nothing is written after it. */
  readonly failed: RejectsError | undefined;
  /** The in-memory queue's figures. */
  readonly queue: QueueStats;
  /**
   * The input's header (CSV), once the source read it, and optionally its delimiter. Used for
   * the header line; ignored once that line is written.
   */
  setColumns(columns: readonly string[], delimiter?: string): void;
  /** Queues one rejection; synchronous, never throws for a write failure (see `failed`). */
  write(rejection: Rejection): void;
  /** Resolves once every byte written so far is in the file (handed to the OS). */
  flush(): Promise<void>;
  /** Flushes and closes; idempotent. Rejects with REJECTS_WRITE_FAILED if any write failed. */
  close(): Promise<void>;
}

const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

// Plain descriptors, not FileHandles: the queue writes synchronously at process exit, and a
// FileHandle would also close its descriptor on garbage collection behind the queue's back.
const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const ftruncateAsync = promisify(ftruncate);
const writeAsync = promisify(write);
const closeAsync = promisify(close);

/**
 * Opens the rejects file at once, before any row is read: creates or truncates it (or, to
 * resume, cuts it back) and, for a regular file, proves it writable with a probe byte written
 * and cut off again. A bad path or a full disk thus stops the run before anything is sent.
 * Fails with a fatal `REJECTS_WRITE_FAILED` naming the path and the OS reason.
 */
export async function openRejectsWriter(options: RejectsWriterOptions): Promise<RejectsWriter> {
  const { path } = options;
  if (options.format !== 'csv' && options.format !== 'jsonl') {
    throw invalidOption(`invalid rejects format ${JSON.stringify(options.format)}: use "csv" or "jsonl"`);
  }
  checkDelimiter(options.delimiter ?? ',');
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  if (!Number.isSafeInteger(maxQueuedBytes) || maxQueuedBytes < 1) {
    throw invalidOption(`invalid maxQueuedBytes ${maxQueuedBytes}: use a positive integer`);
  }
  const start = options.resume?.bytes ?? 0;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw invalidOption(`invalid resume.bytes ${start}: use a non-negative integer`);
  }
  let fd: number | undefined;
  try {
    // O_CREAT | O_EXCL first: it tells, atomically, whether this writer created the file.
    let created = false;
    if (start > 0) fd = await openAsync(path, constants.O_RDWR);
    else {
      try {
        fd = await openAsync(path, 'wx');
        created = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        fd = await openAsync(path, 'w');
      }
    }
    const stats = await fstatAsync(fd);
    if (stats.isFile()) await cutTo(fd, stats.size, start);
    // A device that is not a terminal (/dev/full, a tape, a full device) proves itself with a
    // byte too; a terminal or a pipe would show the probe, so those fail at the first write.
    else if (stats.isCharacterDevice() && !isatty(fd)) await writeAsync(fd, Buffer.from('\n'), 0, 1, null);
    // The queue owns the descriptor from here on and closes it.
    const queue = new FileQueue({
      fd,
      path,
      start,
      positional: stats.isFile(),
      maxQueuedBytes,
      onError: options.onError,
    });
    return new FileRejectsWriter(queue, options, created, start);
  } catch (error) {
    if (fd !== undefined) await closeAsync(fd).catch(() => {});
    throw rejectsWriteFailed(path, error);
  }
}

/**
 * Cuts a regular file to `start` bytes after checking that it has them (a resumed file), and
 * proves it writable: a byte written past the end and cut off again (a full disk fails here).
 */
async function cutTo(fd: number, size: number, start: number): Promise<void> {
  if (size < start) {
    throw new Error(`it holds ${size} bytes, fewer than the ${start} the checkpoint recorded`);
  }
  await writeAsync(fd, Buffer.from('\n'), 0, 1, start);
  await ftruncateAsync(fd, start);
}

class FileRejectsWriter implements RejectsWriter {
  count = 0;
  dropped = 0;
  readonly createdEmpty: boolean;
  private readonly format: 'csv' | 'jsonl';
  private readonly redact: Redactor | undefined;
  private columns: readonly string[] | undefined;
  private delimiter: string;
  private headerDone: boolean;

  constructor(
    readonly queue: FileQueue,
    readonly options: RejectsWriterOptions,
    created: boolean,
    start: number,
  ) {
    this.createdEmpty = created;
    this.format = options.format;
    this.redact = options.redact;
    this.delimiter = options.delimiter ?? ',';
    this.columns = options.columns;
    // Resuming a file that has content: its header is there already.
    this.headerDone = options.format === 'jsonl' || start > 0;
  }

  get path(): string {
    return this.options.path;
  }

  get bytesWritten(): number {
    return this.queue.length;
  }

  get failed(): RejectsError | undefined {
    return this.queue.failure;
  }

  setColumns(columns: readonly string[], delimiter?: string): void {
    if (this.headerDone && this.columns !== undefined) return;
    if (delimiter !== undefined) {
      checkDelimiter(delimiter);
      this.delimiter = delimiter;
    }
    this.columns = columns;
  }

  write(rejection: Rejection): void {
    let text: string;
    if (this.format === 'jsonl') {
      text = formatJsonlRejection(rejection, this.redact);
    } else {
      // Columns not given: the row's own; none at all (an empty input): the reject columns only.
      const columns = (this.columns ??= rejection.row.columns ?? []);
      text = formatCsvRejection(rejection, columns, this.delimiter, this.redact);
      if (!this.headerDone) text = rejectsCsvHeader(columns, this.delimiter, this.redact) + text;
    }
    if (this.queue.push(text)) {
      this.headerDone = true;
      this.count++;
    } else {
      this.dropped++;
    }
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
