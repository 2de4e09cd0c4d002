import { rawText } from './raw.js';

const LF = 10;
const CR = 13;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface LineHandler {
  /**
   * A complete line `buf[start, contentEnd)`, decoded as `text`; `endOffset` is the input
   * offset past its terminator.
   */
  line(buf: Buffer, start: number, contentEnd: number, endOffset: number, line: number, text: string): void;
  /** A line over `maxLineSize` bytes, skipped without being buffered whole. */
  tooLarge(line: number, raw: string, endOffset: number): void;
}

/**
 * Splits a byte stream into lines (LF or CRLF), keeping 1-based line numbers and byte
 * offsets, and drops a UTF-8 BOM that starts the input. It works on bytes, not decoded text,
 * because the offsets must be bytes (stream-chain's `lines()` splits decoded strings, so it
 * cannot give them) and because a line over `maxLineSize` must be skipped without holding
 * it: at most `maxLineSize + 1` bytes plus one chunk are ever kept.
 *
 * The complete lines of a chunk are decoded in one call and cut with `indexOf` on both the
 * bytes and the text (an LF is one byte and one character in UTF-8, and never part of another
 * character): a decode per line cost a tenth of a JSON-lines load's CPU.
 */
export class LineSplitter {
  private rest: Buffer | undefined;
  private base: number;
  private lineNo: number;
  private bomChecked: boolean;
  private skipping: { line: number; raw: string } | undefined;

  constructor(
    private readonly maxLineSize: number,
    private readonly handler: LineHandler,
    start: { line: number; offset: number; bom: boolean },
  ) {
    this.base = start.offset;
    this.lineNo = start.line;
    this.bomChecked = !start.bom;
  }

  push(chunk: Buffer): void {
    this.split(this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]), false);
  }

  finish(): void {
    this.split(this.rest ?? Buffer.alloc(0), true);
  }

  private split(buf: Buffer, final: boolean): void {
    this.rest = undefined;
    const n = buf.length;
    let p = 0;
    if (!this.bomChecked) {
      if (n < BOM.length && !final && BOM.subarray(0, n).equals(buf)) {
        this.rest = buf;
        return;
      }
      this.bomChecked = true;
      if (buf.subarray(0, BOM.length).equals(BOM)) p = BOM.length;
    }
    const max = this.maxLineSize;
    // The complete lines from `textFrom` on, decoded once; `at` is the character of byte `p`.
    let text: string | undefined;
    let at = 0;
    while (p < n) {
      const lf = buf.indexOf(LF, p);
      if (this.skipping !== undefined) {
        if (lf < 0) break;
        this.endSkip(this.base + lf + 1);
        p = lf + 1;
        continue;
      }
      if (lf < 0) {
        if (n - p > max + 1) {
          this.skipping = { line: this.lineNo, raw: rawText(buf, p, p + max) };
          break;
        }
        if (!final) {
          this.rest = buf.subarray(p);
          this.base += p;
          return;
        }
        this.emit(buf, p, n, n, buf.toString('utf8', p, n));
        p = n;
        break;
      }
      if (text === undefined) {
        text = buf.toString('utf8', p, buf.lastIndexOf(LF) + 1);
        at = 0;
      }
      const textLf = text.indexOf('\n', at);
      const contentEnd = lf > p && buf[lf - 1] === CR ? lf - 1 : lf;
      const textEnd = contentEnd < lf ? textLf - 1 : textLf;
      this.emit(buf, p, contentEnd, lf + 1, text.slice(at, textEnd));
      at = textLf + 1;
      p = lf + 1;
    }
    this.base += n;
    if (final && this.skipping !== undefined) this.endSkip(this.base);
  }

  private emit(buf: Buffer, start: number, contentEnd: number, end: number, text: string): void {
    const line = this.lineNo++;
    if (contentEnd - start > this.maxLineSize) {
      this.handler.tooLarge(line, rawText(buf, start, start + this.maxLineSize), this.base + end);
    } else {
      this.handler.line(buf, start, contentEnd, this.base + end, line, text);
    }
  }

  private endSkip(endOffset: number): void {
    const skip = this.skipping!;
    this.skipping = undefined;
    this.lineNo++;
    this.handler.tooLarge(skip.line, skip.raw, endOffset);
  }
}
