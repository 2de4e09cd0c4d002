import type { Rejection, RowEnvelope, StageCounts } from '@pxstream/core';
import { newStageCounts } from '@pxstream/core';
import { detectDelimiter } from './delimiter.js';
import { bareCrError, type CsvErrorCode, csvParseCode, fatalCsvError, recordMessage } from './errors.js';
import { type FrameErrorCode, type FrameHandler, FrameKind } from './frame.js';
import { CsvFramer } from './framer.js';
import { headerColumns } from './header.js';
import { lineBreaksIn } from './lines.js';
import { rawText } from './raw.js';
import { createRecordParser, lenientCells, type RecordParser } from './records.js';
import { splitRecord } from './split.js';

/** Where a source starts reading in the middle of a file (see `csvResumeAfter`). */
export interface CsvResumePoint {
  /** The header of the file, read before the stop. */
  columns: readonly string[];
  /** 1-based physical line of the first byte to read. */
  line: number;
  /** Index of the next data row. */
  index: number;
  /** Byte offset of the first byte to read; every `endOffset` includes it. */
  byteOffset: number;
}

export interface CsvEngineOptions {
  delimiter: string | undefined;
  maxRecordSize: number;
  resumeFrom: CsvResumePoint | undefined;
}

/** Where the engine hands its results (the stream wrapper pushes and emits them). */
export interface CsvEngineOutput {
  header(columns: readonly string[]): void;
  row(row: RowEnvelope): void;
  rejection(rejection: Rejection): void;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The CSV source engine, free of streams: bytes in through `write`/`end`, header, rows and
 * rejections out through `output`. Fatal errors (bad header) are thrown as `PxStreamError`.
 *
 * The framer cuts the bytes into complete records (lines, offsets, size limit); each record is
 * decoded once and split by `splitRecord`, and the few it will not judge (quote errors, odd
 * quoting) are parsed by csv-parse alone, which gives the cells or the error code.
 */
export class CsvEngine {
  readonly counts: StageCounts = newStageCounts();
  columns: readonly string[] | undefined;
  private index: number;
  private head: Buffer | undefined;
  private framer: CsvFramer | undefined;
  private delimiter = ',';
  private parseAlone: RecordParser = createRecordParser(',');
  private announced = false;
  /** The input began with a UTF-8 byte order mark (known once the first bytes are read). */
  hadBom = false;
  /** How the header line ended, `\r\n` or `\n` (undefined until read, or without a terminator). */
  lineBreak: '\r\n' | '\n' | undefined;
  /** Where the data rows begin, once the header was read: the byte after it and its line. */
  dataStart: { byteOffset: number; line: number } | undefined;
  private readonly handler: FrameHandler = {
    record: (buf, base, start, contentEnd, end, line, kind) =>
      this.onRecord(buf, base, start, contentEnd, end, line, kind),
    bad: (code, line, raw, endOffset, bytes, detail) => this.onBad(code, line, raw, endOffset, bytes, detail),
  };

  constructor(
    private readonly options: CsvEngineOptions,
    private readonly output: CsvEngineOutput,
  ) {
    this.columns = options.resumeFrom?.columns;
    this.index = options.resumeFrom?.index ?? 0;
  }

  write(chunk: Buffer): void {
    this.announce();
    if (this.framer !== undefined) {
      this.framer.push(chunk);
      return;
    }
    this.head = this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
    this.start(false);
  }

  end(): void {
    this.announce();
    if (this.framer === undefined && this.head !== undefined) this.start(true);
    if (this.framer === undefined) return;
    this.framer.finish();
  }

  /** On resume the header is known up front: announce it once, before any row. */
  private announce(): void {
    if (this.announced) return;
    this.announced = true;
    if (this.columns !== undefined) this.output.header(this.columns);
  }

  /** Strips the BOM and settles the delimiter, then hands the bytes to a new framer. */
  private start(final: boolean): void {
    const head = this.head!;
    const resume = this.options.resumeFrom;
    let skip = 0;
    if (resume === undefined) {
      if (head.length < BOM.length && !final && BOM.subarray(0, head.length).equals(head)) return;
      if (head.subarray(0, BOM.length).equals(BOM)) {
        skip = BOM.length;
        this.hadBom = true;
      }
    }
    const delimiter = this.options.delimiter ?? this.sniff(head, skip, final);
    if (delimiter === undefined) return;
    this.head = undefined;
    this.delimiter = delimiter;
    this.parseAlone = createRecordParser(delimiter);
    const start = { line: resume?.line ?? 1, offset: (resume?.byteOffset ?? 0) + skip };
    this.framer = new CsvFramer(Buffer.from(delimiter), this.options.maxRecordSize, this.handler, start);
    this.framer.push(head.subarray(skip));
  }

  /** The delimiter given or detected, once the first bytes were read (undefined before). */
  get delimiterInUse(): string | undefined {
    return this.framer === undefined ? undefined : this.delimiter;
  }

  /** The delimiter detected on the first non-blank line, or undefined until that line is complete. */
  private sniff(head: Buffer, from: number, final: boolean): string | undefined {
    const max = this.options.maxRecordSize;
    for (let p = from; ; ) {
      const lf = head.indexOf(10, p);
      if (lf < 0 && !final && head.length - p <= max + 2) return undefined;
      const text = head.toString('utf8', p, lf < 0 ? Math.min(head.length, p + max) : lf);
      if (text.trim() !== '') return detectDelimiter(text);
      if (lf < 0) return ',';
      p = lf + 1;
    }
  }

  private onRecord(
    buf: Buffer,
    base: number,
    start: number,
    contentEnd: number,
    end: number,
    line: number,
    kind: FrameKind,
  ): void {
    // Empty and blank lines are skipped (csv-parse's skip_empty_lines, and a line of spaces
    // is no record anyone meant to load).
    if (kind !== FrameKind.Record) return;
    const cells = splitRecord(buf.toString('utf8', start, contentEnd), this.delimiter);
    if (cells !== undefined) this.emit(cells, buf, base, start, contentEnd, end, line);
    else this.parseByCsvParse(buf, base, start, contentEnd, end, line);
  }

  private onBad(
    code: FrameErrorCode,
    line: number,
    raw: string,
    endOffset: number,
    bytes: Buffer | undefined,
    detail: string,
  ): void {
    if (this.columns === undefined) throw headerError(code, line, detail, raw);
    const fields = bytes === undefined ? [] : lenientCells(bytes, this.delimiter);
    this.reject(line, endOffset, fields, code, recordMessage(code, line, detail), raw);
  }

  /** A record `splitRecord` would not judge: csv-parse reads it, or names what is wrong. */
  private parseByCsvParse(
    buf: Buffer,
    base: number,
    start: number,
    contentEnd: number,
    end: number,
    line: number,
  ): void {
    let code: CsvErrorCode = 'CSV_INVALID_RECORD';
    try {
      const records = this.parseAlone(buf.subarray(start, end));
      if (records.length === 1) {
        this.emit(records[0]!, buf, base, start, contentEnd, end, line);
        return;
      }
    } catch (error) {
      code = csvParseCode((error as { code?: unknown }).code);
    }
    const raw = rawText(buf, start, contentEnd);
    if (this.columns === undefined) throw headerError(code, line, '', raw);
    const cells = lenientCells(buf.subarray(start, contentEnd), this.delimiter);
    this.reject(line, base + end, cells, code, recordMessage(code, line), raw);
  }

  private emit(
    fields: string[],
    buf: Buffer,
    base: number,
    start: number,
    contentEnd: number,
    end: number,
    line: number,
  ): void {
    const columns = this.columns;
    if (columns === undefined) {
      const header = headerColumns(fields, line);
      if (!Array.isArray(header)) throw header;
      this.columns = header;
      this.announced = true;
      if (end > contentEnd) this.lineBreak = end - contentEnd === 2 ? '\r\n' : '\n';
      this.dataStart = { byteOffset: base + end, line: line + 1 + lineBreaksIn(fields) };
      this.output.header(header);
      return;
    }
    const endOffset = base + end;
    if (fields.length !== columns.length) {
      const raw = rawText(buf, start, contentEnd);
      const code = 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH';
      const detail = `${fields.length} fields, the header has ${columns.length}`;
      this.reject(line, endOffset, fields, code, recordMessage(code, line, detail), raw);
      return;
    }
    this.counts.in++;
    this.counts.out++;
    this.output.row({ index: this.index++, line, fields, columns, endOffset });
  }

  private reject(
    line: number,
    endOffset: number,
    fields: string[],
    code: CsvErrorCode,
    message: string,
    raw: string,
  ): void {
    this.counts.in++;
    this.counts.rejected++;
    const row: RowEnvelope = { index: this.index++, line, fields, columns: this.columns!, endOffset };
    this.output.rejection({ row, stage: 'parse', code, message, raw });
  }
}

function headerError(code: CsvErrorCode, line: number, detail: string, raw: string) {
  return (
    bareCrError(raw, line) ??
    fatalCsvError(code, `cannot read the CSV header: ${recordMessage(code, line, detail)}`, line)
  );
}
