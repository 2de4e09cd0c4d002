import type { Duplex } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import type { CountedStage, RowEnvelope, StageCounts } from '@pxstream/core';
import { emitRejection } from '@pxstream/core';
import { JsonlEngine, type JsonlResumePoint } from './engine.js';
import { fatalJsonlError } from './errors.js';

export interface JsonlSourceOptions {
  /** Largest line in bytes (terminator excluded); a larger one is rejected. Default 1 MiB. */
  maxLineSize?: number;
  /** Start mid-file: counters continue from these values. */
  resumeFrom?: JsonlResumePoint;
}

/**
 * Bytes (Buffer or string) in, `RowEnvelope` objects out (`fields` is the parsed object).
 * Emits `rejection` (`REJECTION_EVENT`) `(rejection: Rejection)`, stage `parse`, per bad line.
 */
export interface JsonlSource extends Duplex, CountedStage {}

export const DEFAULT_MAX_LINE_SIZE = 1_048_576;

class JsonlSourceStream extends Transform implements JsonlSource {
  private readonly engine: JsonlEngine;

  constructor(options: JsonlSourceOptions) {
    super({ readableObjectMode: true, writableObjectMode: false, readableHighWaterMark: 128 });
    this.engine = new JsonlEngine(
      { maxLineSize: options.maxLineSize ?? DEFAULT_MAX_LINE_SIZE, resumeFrom: options.resumeFrom },
      {
        row: (row: RowEnvelope) => this.push(row),
        rejection: (rejection) => emitRejection(this, rejection),
      },
    );
  }

  get counts(): StageCounts {
    return this.engine.counts;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.engine.write(chunk);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.engine.end();
    callback();
  }
}

/** Creates a JSON-lines source stream. Throws a fatal `JSONL_INVALID_OPTION` on bad options. */
export function createJsonlSource(options: JsonlSourceOptions = {}): JsonlSource {
  const { maxLineSize, resumeFrom } = options;
  if (maxLineSize !== undefined && !(Number.isSafeInteger(maxLineSize) && maxLineSize > 0)) {
    throw fatalJsonlError(
      'JSONL_INVALID_OPTION',
      `maxLineSize must be a positive integer, got ${maxLineSize}`,
    );
  }
  if (resumeFrom !== undefined) {
    const { line, index, byteOffset } = resumeFrom;
    if (
      !(line >= 1 && index >= 0 && byteOffset >= 0) ||
      ![line, index, byteOffset].every(Number.isSafeInteger)
    ) {
      throw fatalJsonlError(
        'JSONL_INVALID_OPTION',
        'resumeFrom needs integer line >= 1, index >= 0 and byteOffset >= 0',
      );
    }
  }
  return new JsonlSourceStream(options);
}
