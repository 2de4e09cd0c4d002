import { endsField, type FrameHandler, FrameKind, isBlank, isFieldStart } from './frame.js';
import { rawText } from './raw.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const EMPTY = Buffer.alloc(0);

interface Skip {
  line: number;
  raw: string;
}

/**
 * Finds record boundaries in a byte stream, the way csv-parse will split it (RFC 4180:
 * a quote opens a field only at its start, `""` is a quote inside a quoted field, records
 * end at LF or CRLF outside quotes), and keeps the physical line of each record. It works
 * on bytes with `indexOf`, so a record with no quote costs two native searches.
 *
 * It never holds more than one record (plus the last chunk): a record that grows past
 * `maxRecordSize` is cut. Where parsing resumes then is the important choice:
 *
 * - If the record is inside a quoted field that already spans lines, the far likelier cause
 *   is a stray or unclosed quote rather than a legitimate megabyte multi-line field. Only the
 *   first physical line of the record is rejected (`CSV_QUOTE_NOT_CLOSED`) and scanning
 *   resumes at the start of the next line, unquoted: the good records the quote swallowed are
 *   read again, and at most `maxRecordSize` bytes were ever buffered. An unclosed quote at
 *   the end of input is handled the same way, and so is a stray quote closed by a later one
 *   when the multi-line record this makes is broken (see `complete`).
 * - Otherwise (one huge line, or a huge quoted field with no line break yet) the record is
 *   rejected (`CSV_RECORD_TOO_LARGE`) and its bytes are skipped, without buffering, up to the
 *   next LF whatever the quotes: the next line is the only point a reader can trust.
 *
 * The decision only depends on the first `maxRecordSize + 2` bytes of the record, never on
 * how the input is chunked.
 */
export class CsvFramer {
  private buf: Buffer = EMPTY;
  /** Input offset of `buf[0]`. */
  private base: number;
  /** Scan position: bytes before it are framed and their LFs counted. */
  private pos = 0;
  private recStart = 0;
  private recLine: number;
  private line: number;
  private inQuotes = false;
  /** Position of the first LF inside the current record (inside quotes), or -1. */
  private firstLf = -1;
  /**
   * The current record cannot parse: a closing quote not followed by a delimiter or line
   * break, or a quote inside an unquoted field (csv-parse's two quote errors).
   */
  private broken = false;
  private skip: Skip | undefined;
  // One-entry caches of the next LF / quote at or after `*From` (`buf.length` when none).
  private lfAt = -1;
  private lfFrom = 0;
  private quoteAt = -1;
  private quoteFrom = 0;

  constructor(
    private readonly delimiter: Buffer,
    private readonly maxRecordSize: number,
    private readonly handler: FrameHandler,
    start: { line: number; offset: number },
  ) {
    this.line = start.line;
    this.recLine = start.line;
    this.base = start.offset;
  }

  /** Frames what it can of the new bytes; an incomplete record waits for more. */
  push(chunk: Buffer): void {
    const keep = this.recStart;
    this.buf = keep < this.buf.length ? Buffer.concat([this.buf.subarray(keep), chunk]) : chunk;
    this.base += keep;
    this.pos -= keep;
    if (this.firstLf >= 0) this.firstLf -= keep;
    this.recStart = 0;
    this.lfAt = -1;
    this.quoteAt = -1;
    this.scan(false);
  }

  /** End of input: frames the last record, or reports it. */
  finish(): void {
    this.scan(true);
    this.buf = EMPTY;
    this.pos = this.recStart = 0;
  }

  private nextLf(from: number): number {
    if (this.lfAt < from || this.lfFrom > from) {
      const at = this.buf.indexOf(LF, from);
      this.lfAt = at < 0 ? this.buf.length : at;
      this.lfFrom = from;
    }
    return this.lfAt;
  }

  private nextQuote(from: number): number {
    if (this.quoteAt < from || this.quoteFrom > from) {
      const at = this.buf.indexOf(QUOTE, from);
      this.quoteAt = at < 0 ? this.buf.length : at;
      this.quoteFrom = from;
    }
    return this.quoteAt;
  }

  private scan(final: boolean): void {
    const buf = this.buf;
    const n = buf.length;
    const max = this.maxRecordSize;
    for (;;) {
      if (this.skip !== undefined) {
        const lf = this.nextLf(this.pos);
        if (lf === n) {
          this.pos = this.recStart = n;
          if (final) this.endSkip(this.base + n);
          return;
        }
        this.line++;
        this.startRecord(lf + 1);
        this.endSkip(this.base + lf + 1);
        continue;
      }
      // `limit` is the first byte position past maxRecordSize.
      const limit = this.recStart + max;
      if (this.inQuotes) {
        const q = this.nextQuote(this.pos);
        const lfEnd = Math.min(q, limit);
        for (let lf = this.nextLf(this.pos); lf < lfEnd && lf < n; lf = this.nextLf(lf + 1)) {
          this.line++;
          if (this.firstLf < 0) this.firstLf = lf;
        }
        if (q < limit && q < n) {
          // Wait for the bytes after the quote: a doubled quote, or what the field ends with.
          if (q + this.delimiter.length >= n && !final) {
            this.pos = q;
            return;
          }
          if (q + 1 < n && buf[q + 1] === QUOTE) {
            this.pos = q + 2;
          } else {
            this.inQuotes = false;
            this.pos = q + 1;
            if (q + 1 < n && !endsField(buf, this.delimiter, q + 1)) this.broken = true;
          }
          continue;
        }
        if (n > limit) {
          this.overflow(limit);
          continue;
        }
        this.pos = n;
        if (!final) return;
        this.unclosedAtEnd();
        if (this.recStart >= n) return;
        continue;
      }
      const lf = this.nextLf(this.pos);
      const q = this.nextQuote(this.pos);
      if (lf < q) {
        const contentEnd = lf > this.recStart && buf[lf - 1] === CR ? lf - 1 : lf;
        if (contentEnd > limit) {
          this.skip = { line: this.recLine, raw: rawText(buf, this.recStart, limit) };
          this.pos = lf;
          continue;
        }
        if (!this.complete(contentEnd, lf + 1)) continue;
        this.line++;
        this.startRecord(lf + 1);
        continue;
      }
      if (q === n) {
        // No LF and no quote left in the buffer.
        if (n > limit + 1) {
          this.overflow(n);
          continue;
        }
        this.pos = n;
        if (!final) return;
        if (this.recStart < n) {
          if (n > limit) {
            const raw = rawText(buf, this.recStart, limit);
            this.handler.bad(
              'CSV_RECORD_TOO_LARGE',
              this.recLine,
              raw,
              this.base + n,
              undefined,
              this.tooLarge(),
            );
          } else {
            // A CR that ends the input is a line break cut short, not part of the last value.
            const contentEnd = buf[n - 1] === CR ? n - 1 : n;
            if (!this.complete(contentEnd, contentEnd)) continue;
          }
          this.recStart = n;
        }
        return;
      }
      if (q >= limit) {
        this.overflow(q);
        continue;
      }
      if (isFieldStart(buf, this.delimiter, this.recStart, q)) this.inQuotes = true;
      else this.broken = true;
      this.pos = q + 1;
    }
  }

  private startRecord(at: number): void {
    this.pos = this.recStart = at;
    this.recLine = this.line;
    this.inQuotes = false;
    this.firstLf = -1;
    this.broken = false;
  }

  private emit(contentEnd: number, end: number): void {
    const buf = this.buf;
    const start = this.recStart;
    let kind: FrameKind = FrameKind.Record;
    if (contentEnd === start) kind = FrameKind.Empty;
    else if (isBlank(buf, start, contentEnd)) kind = FrameKind.Blank;
    this.handler.record(buf, this.base, start, contentEnd, end, this.recLine, kind);
  }

  /**
   * Hands the complete current record over. A broken one that spans lines is most likely a
   * stray quote that swallowed the lines after it: its first line is rejected and scanning
   * restarts on the second (false is returned), so the swallowed records are read again.
   */
  private complete(contentEnd: number, end: number): boolean {
    if (this.firstLf < 0 || !this.broken) {
      this.emit(contentEnd, end);
      return true;
    }
    this.rejectFirstLine(' (its quoted field runs into later lines, where the record breaks)');
    return false;
  }

  /** The record outgrew maxRecordSize; `scanned` is where line counting stopped. */
  private overflow(scanned: number): void {
    if (this.inQuotes && this.firstLf >= 0) {
      this.rejectFirstLine(` within maxRecordSize (${this.maxRecordSize} bytes)`);
      return;
    }
    this.skip = {
      line: this.recLine,
      raw: rawText(this.buf, this.recStart, this.recStart + this.maxRecordSize),
    };
    this.inQuotes = false;
    this.firstLf = -1;
    this.pos = scanned;
  }

  /** End of input inside a quoted field. */
  private unclosedAtEnd(): void {
    if (this.firstLf >= 0) {
      this.rejectFirstLine(' by the end of input');
      return;
    }
    const { buf, recStart } = this;
    const n = buf.length;
    const raw = rawText(buf, recStart, n);
    const bytes = buf.subarray(recStart, n);
    this.handler.bad('CSV_QUOTE_NOT_CLOSED', this.recLine, raw, this.base + n, bytes, ' by the end of input');
    this.startRecord(n);
  }

  /** Rejects the first physical line of the current record and rescans from the next one. */
  private rejectFirstLine(why: string): void {
    const { buf, recStart } = this;
    const lf = this.firstLf;
    const contentEnd = lf > recStart && buf[lf - 1] === CR ? lf - 1 : lf;
    const raw = rawText(buf, recStart, contentEnd);
    const detail = `${why}: the line is rejected and reading resumes on line ${this.recLine + 1}`;
    this.handler.bad(
      'CSV_QUOTE_NOT_CLOSED',
      this.recLine,
      raw,
      this.base + lf + 1,
      buf.subarray(recStart, contentEnd),
      detail,
    );
    this.line = this.recLine + 1;
    this.startRecord(lf + 1);
  }

  private endSkip(endOffset: number): void {
    const skip = this.skip!;
    this.skip = undefined;
    this.handler.bad('CSV_RECORD_TOO_LARGE', skip.line, skip.raw, endOffset, undefined, this.tooLarge());
  }

  private tooLarge(): string {
    return ` (${this.maxRecordSize} bytes): skipped up to the next line break`;
  }
}
