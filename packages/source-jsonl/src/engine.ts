import type { JsonObject, Rejection, RowEnvelope, StageCounts } from '@pxstream/core';
import { newStageCounts } from '@pxstream/core';
import { jsonlParser } from 'stream-json/jsonl/parser.js';
import type { JsonlErrorCode } from './errors.js';
import { LineSplitter } from './lines.js';
import { rawText } from './raw.js';

/** Where a source starts reading in the middle of a file (see `jsonlResumeAfter`). */
export interface JsonlResumePoint {
  /** 1-based line of the first byte to read. */
  line: number;
  /** Index of the next data row. */
  index: number;
  /** Byte offset of the first byte to read; every `endOffset` includes it. */
  byteOffset: number;
}

export interface JsonlEngineOptions {
  maxLineSize: number;
  resumeFrom: JsonlResumePoint | undefined;
}

export interface JsonlEngineOutput {
  row(row: RowEnvelope): void;
  rejection(rejection: Rejection): void;
}

const SPACE = 32;
const TAB = 9;
const CR = 13;

/** Marks a line stream-chain's per-line parser could not parse (its `errorIndicator`). */
class LineError {
  constructor(readonly error: unknown) {}
}

/**
 * The JSON-lines engine, free of streams: bytes in, one envelope (or rejection) per
 * non-blank line out. Lines are cut by `LineSplitter` (bytes, for offsets and bounded
 * memory); each line goes through stream-chain's per-line JSONL parser (`JSON.parse` with
 * an error indicator) so a bad line becomes a value we can reject instead of an exception
 * that ends the stream.
 */
export class JsonlEngine {
  readonly counts: StageCounts = newStageCounts();
  private index: number;
  private readonly splitter: LineSplitter;
  private readonly parseLine = jsonlParser<unknown>({
    errorIndicator: (error: unknown) => new LineError(error),
  });

  constructor(
    options: JsonlEngineOptions,
    private readonly output: JsonlEngineOutput,
  ) {
    const resume = options.resumeFrom;
    this.index = resume?.index ?? 0;
    this.splitter = new LineSplitter(
      options.maxLineSize,
      {
        line: (buf, start, contentEnd, endOffset, line, text) =>
          this.onLine(buf, start, contentEnd, endOffset, line, text),
        tooLarge: (line, raw, endOffset) =>
          this.reject(
            line,
            endOffset,
            'JSONL_LINE_TOO_LARGE',
            `line ${line} is larger than maxLineSize (${options.maxLineSize} bytes)`,
            raw,
          ),
      },
      { line: resume?.line ?? 1, offset: resume?.byteOffset ?? 0, bom: resume === undefined },
    );
  }

  write(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  end(): void {
    this.splitter.finish();
  }

  private onLine(
    buf: Buffer,
    start: number,
    contentEnd: number,
    endOffset: number,
    line: number,
    text: string,
  ): void {
    const first = buf[start];
    if (
      start === contentEnd ||
      ((first === SPACE || first === TAB || first === CR) && isBlank(buf, start, contentEnd))
    ) {
      return;
    }
    const item = this.parseLine(text);
    const value = typeof item === 'symbol' ? undefined : item.value;
    if (value instanceof LineError) {
      const reason = value.error instanceof Error ? value.error.message : String(value.error);
      const message = `line ${line} is not valid JSON: ${reason.replace(/\s*\n\s*/g, ' ')}`;
      this.reject(line, endOffset, 'JSONL_INVALID_JSON', message, rawText(buf, start, contentEnd));
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      const message = `line ${line} holds ${what}, not a JSON object`;
      this.reject(line, endOffset, 'JSONL_NOT_OBJECT', message, rawText(buf, start, contentEnd));
      return;
    }
    this.counts.in++;
    this.counts.out++;
    this.output.row({ index: this.index++, line, fields: value as JsonObject, endOffset });
  }

  private reject(line: number, endOffset: number, code: JsonlErrorCode, message: string, raw: string): void {
    this.counts.in++;
    this.counts.rejected++;
    const row: RowEnvelope = { index: this.index++, line, fields: {}, endOffset };
    this.output.rejection({ row, stage: 'parse', code, message, raw });
  }
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}
