import type { Duplex } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import type { CountedStage, StageCounts } from '@pxstream/core';
import { emitRejection } from '@pxstream/core';
import { JsonArrayEngine, type JsonArrayResumePoint, type JsonArrayRow } from './engine.js';
import { fatalJsonError } from './errors.js';

export interface JsonArraySourceOptions {
  /**
   * Largest element in bytes, from its first byte to its last (whitespace inside it counts);
   * a larger one is rejected without being parsed. Default 1 MiB.
   */
  maxRecordSize?: number;
  /** Start mid-array: the bytes given begin at `byteOffset`, just past an element. */
  resumeFrom?: JsonArrayResumePoint;
}

/**
 * Bytes (Buffer or string) in, `JsonArrayRow` envelopes out, one per element of the array
 * (`fields` is the parsed object). Emits `rejection` (`REJECTION_EVENT`) `(rejection: Rejection)`,
 * stage `parse`, per element that is not an object or is too large. An input that is not an
 * array, invalid JSON or a truncated array destroys the stream with a fatal `PxStreamError`.
 */
export interface JsonArraySource extends Duplex, CountedStage {}

export const DEFAULT_MAX_RECORD_SIZE = 1_048_576;

class JsonArraySourceStream extends Transform implements JsonArraySource {
  private readonly engine: JsonArrayEngine;

  constructor(options: JsonArraySourceOptions) {
    super({ readableObjectMode: true, writableObjectMode: false, readableHighWaterMark: 128 });
    this.engine = new JsonArrayEngine(
      {
        maxRecordSize: options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE,
        resumeFrom: options.resumeFrom,
      },
      {
        row: (row: JsonArrayRow) => this.push(row),
        rejection: (rejection) => emitRejection(this, rejection),
      },
    );
  }

  get counts(): StageCounts {
    return this.engine.counts;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.engine.write(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.engine.end();
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback();
  }
}

/** Creates a JSON array source stream. Throws a fatal `JSON_INVALID_OPTION` on bad options. */
export function createJsonArraySource(options: JsonArraySourceOptions = {}): JsonArraySource {
  const { maxRecordSize, resumeFrom } = options;
  if (maxRecordSize !== undefined && !(Number.isSafeInteger(maxRecordSize) && maxRecordSize > 0)) {
    throw fatalJsonError(
      'JSON_INVALID_OPTION',
      `maxRecordSize must be a positive integer, got ${maxRecordSize}`,
    );
  }
  if (resumeFrom !== undefined) {
    const { line, index, byteOffset } = resumeFrom;
    if (
      !(line >= 1 && index >= 0 && byteOffset >= 0) ||
      ![line, index, byteOffset].every(Number.isSafeInteger)
    ) {
      throw fatalJsonError(
        'JSON_INVALID_OPTION',
        'resumeFrom needs integer line >= 1, index >= 0 and byteOffset >= 0',
      );
    }
  }
  return new JsonArraySourceStream(options);
}
