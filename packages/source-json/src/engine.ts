import type { JsonObject, Rejection, RowEnvelope, StageCounts } from '@pxstream/core';
import { newStageCounts, PxStreamError } from '@pxstream/core';
import { ElementParser } from './elements.js';
import { fatalJsonError, type JsonArrayError } from './errors.js';
import { HeldInput } from './held.js';
import { placeSyntaxFault } from './locate.js';
import { ArrayScanner } from './scanner.js';
import { TopLevelProbe } from './top-level.js';

/** Where a source starts reading in the middle of an array (see `jsonArrayResumeAfter`). */
export interface JsonArrayResumePoint {
  /** 1-based line of the first byte to read. */
  line: number;
  /** Index of the next element. */
  index: number;
  /** Byte offset of the first byte to read, just past an element; every `endOffset` includes it. */
  byteOffset: number;
}

/** A row of the JSON array source: an envelope that also knows the line its element ends on. */
export interface JsonArrayRow extends RowEnvelope {
  readonly fields: JsonObject;
  readonly endOffset: number;
  /** 1-based line of the byte at `endOffset`: where a resume after this row starts. */
  readonly endLine: number;
}

export interface JsonArrayEngineOptions {
  maxRecordSize: number;
  resumeFrom: JsonArrayResumePoint | undefined;
}

/** Where the engine hands its results (the stream wrapper pushes and emits them). */
export interface JsonArrayEngineOutput {
  row(row: JsonArrayRow): void;
  rejection(rejection: Rejection): void;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NO_BYTES = Buffer.alloc(0);

/**
 * The JSON array engine, free of streams: bytes in through `write`/`end`, one row (or
 * rejection) per element out through `output`; fatal errors are thrown as `PxStreamError`.
 *
 * Each chunk is read twice, both times as a stream: `ArrayScanner` delimits the elements in
 * the bytes (start line, end offset and line, size), then stream-json parses them
 * (`ElementParser`); its n-th value is the scanner's n-th element. An element over the limit
 * is never given to the parser: the parser is dropped and a fresh one resumes after it. The
 * bytes from the last point where the parser's state is known (the checkpoint, at most one
 * element and a chunk back) are kept, to place a syntax error exactly when one comes.
 */
export class JsonArrayEngine {
  readonly counts: StageCounts = newStageCounts();
  private index: number;
  private readonly maxSize: number;
  private readonly scanner: ArrayScanner;
  private parser: ElementParser | undefined;
  private probe: TopLevelProbe | undefined;
  /** The first bytes while a BOM may be arriving; undefined once past them (or resuming). */
  private head: Buffer | undefined;
  /** Input offset of the next chunk. */
  private offset: number;
  /** The chunk being read, its input offset, and how much of it the parser was given. */
  private chunk: Buffer = NO_BYTES;
  private chunkBase = 0;
  private fed = 0;
  /** The input from the checkpoint on. */
  private readonly held: HeldInput;
  /** The element over the limit being skipped: its line and the start of its text. */
  private oversized: { line: number; raw: string } | undefined;

  constructor(
    options: JsonArrayEngineOptions,
    private readonly output: JsonArrayEngineOutput,
  ) {
    const resume = options.resumeFrom;
    const offset = resume?.byteOffset ?? 0;
    const line = resume?.line ?? 1;
    this.index = resume?.index ?? 0;
    this.maxSize = options.maxRecordSize;
    this.scanner = new ArrayScanner(
      options.maxRecordSize,
      {
        tooLarge: (start, elementLine) => this.tooLarge(start, elementLine),
        tooLargeEnd: (end, endLine) => this.tooLargeEnd(end, endLine),
      },
      { offset, line, inArray: resume !== undefined },
    );
    this.parser = new ElementParser(this.onElement, this.scanner.gap);
    this.head = resume === undefined ? NO_BYTES : undefined;
    this.offset = offset;
    this.held = new HeldInput(offset, line, this.scanner.gap);
  }

  write(chunk: Buffer): void {
    if (this.head === undefined) {
      this.read(chunk, 0);
      return;
    }
    const bytes = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
    if (bytes.length < BOM.length && BOM.subarray(0, bytes.length).equals(bytes)) {
      this.head = bytes;
      return;
    }
    this.head = undefined;
    this.read(bytes, bytes.subarray(0, BOM.length).equals(BOM) ? BOM.length : 0);
  }

  end(): void {
    const head = this.head;
    this.head = undefined;
    if (head !== undefined && head.length > 0) this.read(head, 0);
    if (this.probe !== undefined) this.probe.end();
    const scanner = this.scanner;
    if (scanner.gap === 'start') return; // nothing but whitespace: no rows
    if (scanner.gap !== 'closed' || scanner.open) throw this.unclosed();
    try {
      this.parser!.end();
    } catch (error) {
      throw this.failure(error, this.offset, true);
    }
  }

  private read(buf: Buffer, from: number): void {
    const base = this.offset;
    this.offset += buf.length;
    if (this.probe !== undefined) {
      this.probe.scan(buf, from, base);
      return;
    }
    this.chunk = buf;
    this.chunkBase = base;
    this.fed = from;
    if (!this.scanner.skipping) this.held.add(buf);
    const notArray = this.scanner.scan(buf, from);
    if (notArray >= 0) {
      this.parser = undefined;
      this.held.clear();
      this.probe = new TopLevelProbe(this.maxSize, { offset: base + notArray, line: this.scanner.line });
      this.probe.scan(buf, notArray, base);
      return;
    }
    if (!this.scanner.skipping) this.feed(buf.length);
    this.settle(base + buf.length);
  }

  /** Gives the parser the current chunk up to `to`. */
  private feed(to: number): void {
    const from = this.fed;
    if (to <= from) return;
    this.fed = to;
    const bytes = from === 0 && to === this.chunk.length ? this.chunk : this.chunk.subarray(from, to);
    try {
      this.parser!.write(bytes);
    } catch (error) {
      throw this.failure(error, this.chunkBase + to, false);
    }
  }

  /**
   * After a chunk: moves the checkpoint to its end when the parser is between elements there
   * (no element open, and the parser gave every element the scanner delimited: it is not
   * waiting on the start of one), then drops the bytes before the checkpoint.
   */
  private settle(end: number): void {
    const scanner = this.scanner;
    if (!scanner.open && !scanner.skipping && scanner.queue.drained)
      this.held.mark(end, scanner.line, scanner.gap);
    scanner.queue.compact();
    this.held.trim();
  }

  /** The parser's next element: the scanner's next one in the queue. */
  private readonly onElement = (value: unknown): void => {
    const queue = this.scanner.queue;
    const k = queue.head++;
    const endOffset = queue.ends[k];
    if (endOffset === undefined) {
      throw new PxStreamError('INTERNAL', 'the JSON parser gave an element the scanner did not see', {
        fatal: true,
        stage: 'parse',
      });
    }
    const line = queue.lines[k]!;
    const endLine = queue.endLines[k]!;
    this.held.mark(endOffset, endLine, 'element');
    this.counts.in++;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      this.counts.out++;
      this.output.row({ index: this.index++, line, fields: value as JsonObject, endOffset, endLine });
      return;
    }
    const index = this.index++;
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    const raw = this.held.raw(queue.starts[k]!, endOffset);
    this.reject(
      index,
      line,
      endOffset,
      endLine,
      'JSON_NOT_OBJECT',
      `element ${index} (line ${line}) is ${what}, not a JSON object`,
      raw,
    );
  };

  private reject(
    index: number,
    line: number,
    endOffset: number,
    endLine: number,
    code: 'JSON_NOT_OBJECT' | 'JSON_RECORD_TOO_LARGE',
    message: string,
    raw: string,
  ): void {
    this.counts.rejected++;
    const row: JsonArrayRow = { index, line, fields: {}, endOffset, endLine };
    this.output.rejection({ row, stage: 'parse', code, message, raw });
  }

  /** The element at `start` of the chunk is over the limit: the parser stops before it. */
  private tooLarge(start: number, line: number): void {
    if (start > this.fed) this.feed(start);
    const from = this.chunkBase + start;
    // Its first bytes only, as many whatever the chunks: more than `maxSize` are always at hand.
    const raw = this.held.raw(from, Number.POSITIVE_INFINITY, this.maxSize);
    this.oversized = { line, raw };
    this.parser = undefined;
    this.held.clear();
  }

  /** The element over the limit ends at `end` of the chunk: a fresh parser goes on after it. */
  private tooLargeEnd(end: number, endLine: number): void {
    const { line, raw } = this.oversized!;
    this.oversized = undefined;
    const endOffset = this.chunkBase + end;
    const index = this.index++;
    this.counts.in++;
    const message = `element ${index} (line ${line}) is larger than maxRecordSize (${this.maxSize} bytes)`;
    this.reject(index, line, endOffset, endLine, 'JSON_RECORD_TOO_LARGE', message, raw);
    this.parser = new ElementParser(this.onElement, 'element');
    this.fed = end;
    this.held.restart(this.chunk, this.chunkBase);
    this.held.mark(endOffset, endLine, 'element');
  }

  /**
   * The fatal error for what the parser threw, placed exactly by stream-json's verifier. The
   * parser throws for a whole batch of text: the elements of the batch before the fault are
   * parsed again from the checkpoint and given out first, whatever the chunks were.
   */
  private failure(error: unknown, end: number, final: boolean): PxStreamError {
    if (error instanceof PxStreamError) return error;
    const { gap, line: checkpointLine } = this.held;
    const fault = placeSyntaxFault(this.held, end, final);
    if (fault === undefined) {
      const reason = error instanceof Error ? error.message : String(error);
      return fatalJsonError(
        'JSON_INVALID_JSON',
        `invalid JSON after line ${checkpointLine}: ${reason}`,
        checkpointLine,
      );
    }
    new ElementParser(this.onElement, gap).writeText(fault.before);
    const { line, offset, reason } = fault;
    return fatalJsonError(
      'JSON_INVALID_JSON',
      `invalid JSON on line ${line} (byte ${offset}): ${reason}`,
      line,
    );
  }

  /**
   * The input ended inside the array. The parser took every byte without an error, so what was
   * read is the valid beginning of an array: the input is cut short.
   */
  private unclosed(): JsonArrayError {
    const scanner = this.scanner;
    const where = scanner.open
      ? `inside element ${this.index}, which starts on line ${scanner.openLine}`
      : this.index === 0
        ? 'before its first element'
        : `after element ${this.index - 1}`;
    return fatalJsonError(
      'JSON_TRUNCATED',
      `the input ends on line ${scanner.line} (byte ${this.offset}) before the JSON array is closed, ${where}: the file looks truncated`,
      scanner.open ? scanner.openLine : scanner.line,
    );
  }
}
