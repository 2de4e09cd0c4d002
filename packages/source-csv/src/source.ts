import type { Duplex } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import type { CountedStage, RowEnvelope, StageCounts } from '@pxstream/core';
import { emitRejection } from '@pxstream/core';
import { CsvEngine, type CsvResumePoint } from './engine.js';
import { fatalCsvError } from './errors.js';

export interface CsvSourceOptions {
  /**
   * Field delimiter, one character (`,` `;` tab...). When absent, it is detected from the
   * header line (see `detectDelimiter`); pass it when resuming, there is no header to read.
   */
  delimiter?: string;
  /** Largest record in bytes (line terminator excluded); a larger one is rejected. Default 1 MiB. */
  maxRecordSize?: number;
  /** Start mid-file: no header row is read, counters continue from these values. */
  resumeFrom?: CsvResumePoint;
}

/**
 * Bytes (Buffer or string) in, `RowEnvelope` objects out. Events besides the stream ones:
 * - `header` `(columns: readonly string[])`, once, before the first row;
 * - `rejection` (`REJECTION_EVENT`) `(rejection: Rejection)`, stage `parse`, per malformed record.
 * A bad header (or bad bytes before it) destroys the stream with a fatal `PxStreamError`.
 */
export interface CsvSource extends Duplex, CountedStage {
  /** The header's column names, once read (shared by every row). */
  readonly columns: readonly string[] | undefined;
  /** The field delimiter given or detected, once the first line was read. */
  readonly delimiter: string | undefined;
  /** The input began with a UTF-8 byte order mark (Excel's "CSV UTF-8"). */
  readonly hadBom: boolean;
  /** How the header line ended, once read: what a file written for the same user should use. */
  readonly lineBreak: '\r\n' | '\n' | undefined;
}

export const DEFAULT_MAX_RECORD_SIZE = 1_048_576;

class CsvSourceStream extends Transform implements CsvSource {
  private readonly engine: CsvEngine;

  constructor(options: CsvSourceOptions) {
    super({ readableObjectMode: true, writableObjectMode: false, readableHighWaterMark: 128 });
    this.engine = new CsvEngine(
      {
        delimiter: options.delimiter,
        maxRecordSize: options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE,
        resumeFrom: options.resumeFrom,
      },
      {
        header: (columns) => this.emit('header', columns),
        row: (row: RowEnvelope) => this.push(row),
        rejection: (rejection) => emitRejection(this, rejection),
      },
    );
  }

  get counts(): StageCounts {
    return this.engine.counts;
  }

  get columns(): readonly string[] | undefined {
    return this.engine.columns;
  }

  get delimiter(): string | undefined {
    return this.engine.delimiterInUse;
  }

  get hadBom(): boolean {
    return this.engine.hadBom;
  }

  get lineBreak(): '\r\n' | '\n' | undefined {
    return this.engine.lineBreak;
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

/** Creates a CSV source stream. Throws a fatal `CSV_INVALID_OPTION` / `CSV_NO_HEADER` on bad options. */
export function createCsvSource(options: CsvSourceOptions = {}): CsvSource {
  checkOptions(options);
  return new CsvSourceStream(options);
}

function checkOptions(options: CsvSourceOptions): void {
  const { delimiter, maxRecordSize, resumeFrom } = options;
  if (delimiter !== undefined && ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter))) {
    throw fatalCsvError(
      'CSV_INVALID_OPTION',
      `delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`,
    );
  }
  if (maxRecordSize !== undefined && !(Number.isSafeInteger(maxRecordSize) && maxRecordSize > 0)) {
    throw fatalCsvError(
      'CSV_INVALID_OPTION',
      `maxRecordSize must be a positive integer, got ${maxRecordSize}`,
    );
  }
  if (resumeFrom === undefined) return;
  if (resumeFrom.columns.length === 0) {
    throw fatalCsvError('CSV_NO_HEADER', 'resumeFrom.columns must hold the header of the file');
  }
  const { line, index, byteOffset } = resumeFrom;
  if (
    !(line >= 1 && index >= 0 && byteOffset >= 0) ||
    ![line, index, byteOffset].every(Number.isSafeInteger)
  ) {
    throw fatalCsvError(
      'CSV_INVALID_OPTION',
      'resumeFrom needs integer line >= 1, index >= 0 and byteOffset >= 0',
    );
  }
}
