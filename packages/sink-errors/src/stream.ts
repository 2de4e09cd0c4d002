import { Writable } from 'node:stream';
import type { Rejection } from '@pxstream/core';
import { openRejectsWriter, type RejectsWriter, type RejectsWriterOptions } from './writer.js';

/** An object-mode Writable of rejections; `writer` is there once the file is open. */
export interface RejectsStream extends Writable {
  readonly writer: RejectsWriter | undefined;
}

/**
 * The rejects file as an object-mode Writable of rejections, for pipelines of your own: the
 * file is opened before the first write (an open failure errors the stream with
 * `REJECTS_WRITE_FAILED`), flushed and closed on `end` (or on destroy). Backpressure is real:
 * once half the writer's queue bound is queued, a write waits for the disk to catch up, so the
 * writer's synchronous overflow path is never taken for a single stream.
 */
export function createRejectsStream(options: RejectsWriterOptions): RejectsStream {
  return new RejectsWritable(options);
}

class RejectsWritable extends Writable implements RejectsStream {
  writer: RejectsWriter | undefined;
  private readonly options: RejectsWriterOptions;

  constructor(options: RejectsWriterOptions) {
    super({ objectMode: true, highWaterMark: 64 });
    this.options = options;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    openRejectsWriter(this.options).then((writer) => {
      this.writer = writer;
      callback();
    }, callback);
  }

  override _write(rejection: Rejection, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
    const writer = this.writer!;
    writer.write(rejection);
    if (writer.failed) callback(writer.failed);
    else if (writer.queue.queuedBytes * 2 >= writer.queue.maxQueuedBytes)
      writer.flush().then(() => callback(), callback);
    else callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.writer!.close().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.writer) {
      callback(error);
      return;
    }
    this.writer.close().then(
      () => callback(error),
      (closeError: Error) => callback(error ?? closeError),
    );
  }
}
