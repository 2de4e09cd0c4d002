import { close, write, writeSync } from 'node:fs';
import { type RejectsError, rejectsWriteFailed } from './errors.js';

/** What the queue did so far, for tests, progress and benchmarks. */
export interface QueueStats {
  /** Bytes queued in memory, not yet handed to the OS. Never above `maxQueuedBytes`. */
  readonly queuedBytes: number;
  /** The most bytes ever queued at once. */
  readonly peakQueuedBytes: number;
  /** The bound of the queue. */
  readonly maxQueuedBytes: number;
  /** Writes done in the background (the normal way). */
  readonly asyncWrites: number;
  /** Writes done synchronously because the queue was full (or the file cannot seek). */
  readonly syncWrites: number;
}

export interface FileQueueOptions {
  fd: number;
  /** For error messages. */
  path: string;
  /** File offset of the first byte to write. */
  start: number;
  /**
   * True for a regular file: every batch is written at its own offset (pwrite), so a batch can
   * be written synchronously while an earlier one is still in flight. False (a pipe, a device):
   * every write is synchronous and at the current position, in order.
   */
  positional: boolean;
  maxQueuedBytes: number;
  /** Called once, asynchronously, on the first failed write. */
  onError?: ((error: RejectsError) => void) | undefined;
}

/** Above this many queued bytes a write starts at once instead of at the end of the tick. */
const BATCH_BYTES = 64 * 1024;

/**
 * An append-only byte queue in front of a file descriptor: `push()` is synchronous and never
 * loses text; memory stays bounded.
 *
 * Text pushed in one tick is coalesced into one background write, one write at a time. If the
 * disk is slower than the caller (or the caller pushes in a loop without yielding, so no
 * background write can complete), the queue fills up to `maxQueuedBytes`; the next push then
 * writes the queue synchronously, at its own offset, while the background write goes on. That
 * blocks the caller for one write of at most `maxQueuedBytes`, which is the backpressure a
 * synchronous `push()` can exert: the other choices are unbounded memory or lost lines.
 * Stream users get real backpressure instead: `flush()` resolves once the disk caught up.
 *
 * The queue also writes itself out, synchronously, if the process exits while it is open
 * (`process.exit()` from anywhere): what was pushed is in the file.
 */
export class FileQueue implements QueueStats {
  queuedBytes = 0;
  peakQueuedBytes = 0;
  asyncWrites = 0;
  syncWrites = 0;
  readonly maxQueuedBytes: number;
  /** The first write error; nothing is written after it. */
  failure: RejectsError | undefined;

  private readonly options: FileQueueOptions;
  private chunks: string[] = [];
  /** File offset just past every byte handed to a write (done or in flight). */
  private assigned: number;
  private inFlight: { start: number; buffer: Buffer; done: Promise<void> } | undefined;
  private scheduled = false;
  private fdClosed = false;
  private closing: Promise<void> | undefined;
  private waiters: Array<{ upTo: number; resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(options: FileQueueOptions) {
    this.options = options;
    this.assigned = options.start;
    this.maxQueuedBytes = options.maxQueuedBytes;
    openQueues.add(this);
    hookExit();
  }

  /** File offset just past the last byte pushed: the file's size once flushed. */
  get length(): number {
    return this.assigned + this.queuedBytes;
  }

  /** File offset up to which every byte is in the file (handed to the OS). */
  get durable(): number {
    return this.inFlight ? this.inFlight.start : this.assigned;
  }

  /** Appends text. False when it was not taken: the queue failed or is closed. */
  push(text: string): boolean {
    if (this.failure || this.fdClosed) return false;
    const bytes = Buffer.byteLength(text);
    if (bytes === 0) return true;
    if (this.queuedBytes + bytes > this.maxQueuedBytes) {
      this.writeQueuedSync();
      if (bytes > this.maxQueuedBytes) {
        this.writeSync(Buffer.from(text));
        return this.failure === undefined;
      }
      if (this.failure) return false;
    }
    this.chunks.push(text);
    this.queuedBytes += bytes;
    if (this.queuedBytes > this.peakQueuedBytes) this.peakQueuedBytes = this.queuedBytes;
    if (this.queuedBytes >= BATCH_BYTES) this.pump();
    else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.pump();
      });
    }
    return true;
  }

  /** Resolves once every byte pushed so far is in the file; rejects with the write error. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const upTo = this.length;
    if (this.durable >= upTo) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ upTo, resolve, reject });
      this.pump();
    });
  }

  /**
   * Flushes (text pushed meanwhile included), then closes the descriptor. Idempotent: every
   * call returns the same promise. Rejects with `REJECTS_WRITE_FAILED` if any write failed.
   */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    while (!this.failure && this.durable < this.length) await this.flush().catch(() => {});
    while (this.inFlight) await this.inFlight.done;
    this.fdClosed = true;
    openQueues.delete(this);
    const closeError = await new Promise<Error | null>((resolve) => close(this.options.fd, resolve));
    if (closeError && !this.failure) this.failure = rejectsWriteFailed(this.options.path, closeError);
    if (this.failure) throw this.failure;
  }

  /** At process exit: the write in flight (again, at its offset) and the queue, synchronously. */
  writeOutAtExit(): void {
    if (this.failure || this.fdClosed) return;
    const inFlight = this.inFlight;
    if (inFlight) {
      try {
        writeAllSync(this.options.fd, inFlight.buffer, inFlight.start);
      } catch {
        return;
      }
    }
    this.writeQueuedSync();
  }

  /** Starts the next background write (or, on a file that cannot seek, writes now). */
  private pump(): void {
    if (this.inFlight || this.failure || this.fdClosed || this.queuedBytes === 0) return;
    if (!this.options.positional) {
      this.writeQueuedSync();
      return;
    }
    const buffer = this.takeQueued();
    const start = this.assigned;
    this.assigned += buffer.length;
    this.asyncWrites++;
    const done = new Promise<void>((resolve) => {
      writeAll(this.options.fd, buffer, start, (error) => {
        this.inFlight = undefined;
        resolve();
        if (error) this.fail(error);
        else {
          this.settle();
          this.pump();
        }
      });
    });
    this.inFlight = { start, buffer, done };
  }

  private writeQueuedSync(): void {
    if (this.queuedBytes > 0) this.writeSync(this.takeQueued());
  }

  private writeSync(buffer: Buffer): void {
    if (this.failure || this.fdClosed) return;
    const position = this.options.positional ? this.assigned : null;
    this.assigned += buffer.length;
    try {
      writeAllSync(this.options.fd, buffer, position);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.syncWrites++;
    this.settle();
  }

  private takeQueued(): Buffer {
    const buffer = Buffer.from(this.chunks.length === 1 ? this.chunks[0]! : this.chunks.join(''));
    this.chunks = [];
    this.queuedBytes = 0;
    return buffer;
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const durable = this.durable;
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.upTo <= durable) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    const failure = rejectsWriteFailed(this.options.path, error);
    this.failure = failure;
    this.chunks = [];
    this.queuedBytes = 0;
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) waiter.reject(failure);
    const onError = this.options.onError;
    if (onError) queueMicrotask(() => onError(failure));
  }
}

function writeAll(fd: number, buffer: Buffer, position: number, done: (error: Error | null) => void): void {
  let offset = 0;
  const next = () =>
    write(fd, buffer, offset, buffer.length - offset, position + offset, (error, written) => {
      if (error) return done(error);
      if (written === 0) return done(new Error('the file took no bytes'));
      offset += written;
      if (offset < buffer.length) next();
      else done(null);
    });
  next();
}

function writeAllSync(fd: number, buffer: Buffer, position: number | null): void {
  for (let offset = 0; offset < buffer.length; ) {
    const at = position === null ? null : position + offset;
    const written = writeSync(fd, buffer, offset, buffer.length - offset, at);
    if (written === 0) throw new Error('the file took no bytes');
    offset += written;
  }
}

/** Queues not closed yet: written out if the process exits first. */
const openQueues = new Set<FileQueue>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const queue of openQueues) queue.writeOutAtExit();
  });
}
