import { close, constants, fstat, ftruncate, open, read, write } from 'node:fs';
import { isatty } from 'node:tty';
import { promisify } from 'node:util';
import type { Redactor, Rejection } from '@pxstream/core';
import { checkDelimiter, formatCsvRejection, type LineBreak, rejectsCsvHeader } from './csv-format.js';
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
  /** CSV: how the input's lines end and whether it began with a BOM (see `CsvStyle`). */
  style?: CsvStyle;
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

/**
 * How a CSV rejects file is written, taken from the input so that the program that made it
 * (Excel's "CSV UTF-8" has a BOM and CRLF) opens the rejects the same way: line breaks
 * (default LF) and a UTF-8 byte order mark before the header (default none). A resumed file
 * keeps the line breaks it was started with.
 */
export interface CsvStyle {
  lineBreak?: LineBreak;
  bom?: boolean;
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
   * The input's header (CSV), once the source read it, and optionally its delimiter and style.
   * Used for the header line; ignored once that line is written.
   */
  setColumns(columns: readonly string[], delimiter?: string, style?: CsvStyle): void;
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
const readAsync = promisify(read);

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
    const resumedLineBreak = start > 0 && stats.isFile() ? await firstLineBreak(fd, start) : undefined;
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
    return new FileRejectsWriter(queue, options, created, start, resumedLineBreak);
  } catch (error) {
    if (fd !== undefined) await closeAsync(fd).catch(() => {});
    throw rejectsWriteFailed(path, error);
  }
}

/** How the first line of a resumed file ends (its header, for CSV), when it ends within 64 KiB. */
async function firstLineBreak(fd: number, size: number): Promise<LineBreak | undefined> {
  const head = Buffer.alloc(Math.min(size, 65_536));
  const { bytesRead } = await readAsync(fd, head, 0, head.length, 0);
  const lf = head.subarray(0, bytesRead).indexOf(10);
  if (lf < 0) return undefined;
  return lf > 0 && head[lf - 1] === 13 ? '\r\n' : '\n';
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
  private lineBreak: LineBreak;
  private bom: boolean;
  /** A resumed file keeps the line breaks it has. */
  private readonly lineBreakFixed: boolean;

  constructor(
    readonly queue: FileQueue,
    readonly options: RejectsWriterOptions,
    created: boolean,
    start: number,
    resumedLineBreak: LineBreak | undefined,
  ) {
    this.createdEmpty = created;
    this.format = options.format;
    this.redact = options.redact;
    this.delimiter = options.delimiter ?? ',';
    this.columns = options.columns;
    this.lineBreakFixed = resumedLineBreak !== undefined;
    this.lineBreak = resumedLineBreak ?? options.style?.lineBreak ?? '\n';
    this.bom = options.style?.bom === true;
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

  setColumns(columns: readonly string[], delimiter?: string, style?: CsvStyle): void {
    if (this.headerDone && this.columns !== undefined) return;
    if (delimiter !== undefined) {
      checkDelimiter(delimiter);
      this.delimiter = delimiter;
    }
    if (style?.lineBreak !== undefined && !this.lineBreakFixed) this.lineBreak = style.lineBreak;
    if (style?.bom !== undefined) this.bom = style.bom;
    this.columns = columns;
  }

  write(rejection: Rejection): void {
    let text: string;
    if (this.format === 'jsonl') {
      text = formatJsonlRejection(rejection, this.redact);
    } else {
      // Columns not given: the row's own; none at all (an empty input): the reject columns only.
      const columns = (this.columns ??= rejection.row.columns ?? []);
      text = formatCsvRejection(rejection, columns, this.delimiter, this.redact, this.lineBreak);
      if (!this.headerDone) {
        const header = rejectsCsvHeader(columns, this.delimiter, this.redact, this.lineBreak);
        text = (this.bom ? '\uFEFF' : '') + header + text;
      }
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
