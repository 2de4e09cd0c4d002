import { CsvEngine } from './engine.js';
import { CsvFramer } from './framer.js';
import { DEFAULT_MAX_RECORD_SIZE } from './source.js';

/** Whole records of a CSV input, for a `CsvEngine` of its own (see `CsvBlockCutter`). */
export interface CsvBlock {
  /** The records' bytes, as read (blank lines and terminators included). */
  readonly bytes: Buffer;
  /** Input offset of the block's first byte. */
  readonly byteOffset: number;
  /** Physical line of the block's first byte (1-based). */
  readonly line: number;
}

/** What the header said, for the engines that read the blocks and for the rejects file. */
export interface CsvHeaderInfo {
  readonly columns: readonly string[];
  readonly delimiter: string;
  readonly hadBom: boolean;
  readonly lineBreak: '\r\n' | '\n' | undefined;
}

export interface CsvBlockCutterOptions {
  /** As `CsvSourceOptions.delimiter`: detected from the header when absent. */
  delimiter?: string;
  /** As `CsvSourceOptions.maxRecordSize`: the engines reading the blocks must use the same. */
  maxRecordSize?: number;
  /** A block ends at the first record end at least this many bytes past its start (default 1 MiB). */
  blockSize?: number;
  /**
   * Where each block's bytes are copied (a pool the blocks go back to, say). Default: a new
   * buffer each time.
   */
  allocate?: (size: number) => Uint8Array;
}

const LF = 10;

/**
 * Cuts a CSV byte stream into blocks of whole records, so that engines on other threads can
 * parse them at once. The header is read here (a bad one throws the source's fatal error),
 * and record ends are found by the source's own framer, whose decisions never depend on how
 * the input is chunked: a `CsvEngine` given `resumeFrom: { columns, line, byteOffset }` of a
 * block, index 0 and the header's delimiter gives the rows and rejections one engine reading
 * the whole input gives for those records, with the same lines and offsets and indexes counted
 * from the block's first record.
 */
export class CsvBlockCutter {
  /** Known once the header was read. */
  header: CsvHeaderInfo | undefined;
  private readonly blockSize: number;
  private readonly maxRecordSize: number;
  private readonly allocate: (size: number) => Uint8Array;
  /** Reads the header (its rows past the header are ignored: the blocks hold them). */
  private readonly headEngine: CsvEngine;
  private headChunks: Buffer[] = [];
  private framer: CsvFramer | undefined;
  /** Bytes read past the last block cut, from `heldStart`. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private heldStart = 0;
  private heldLine = 1;
  /** Record ends where blocks are cut, in order, not yet cut. */
  private cuts: number[] = [];
  /** The last cut point chosen (the start of the block being filled). */
  private lastCut = 0;
  /**
   * No cut before this offset: the framer rejected a line after reading up to here, and an
   * engine reading a block must see those bytes too to give the same reason. An engine that
   * reached the block's end instead would reject the same line with "by the end of input".
   */
  private noCutBefore = 0;

  constructor(options: CsvBlockCutterOptions = {}) {
    this.blockSize = options.blockSize ?? 1 << 20;
    this.maxRecordSize = options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE;
    this.allocate = options.allocate ?? ((size) => new Uint8Array(size));
    this.headEngine = new CsvEngine(
      { delimiter: options.delimiter, maxRecordSize: this.maxRecordSize, resumeFrom: undefined },
      { header: () => {}, row: () => {}, rejection: () => {} },
    );
  }

  /** Takes the next bytes; returns the blocks now complete. */
  push(chunk: Buffer): CsvBlock[] {
    if (this.framer === undefined) {
      this.headChunks.push(chunk);
      this.headEngine.write(chunk);
      if (this.headEngine.columns === undefined) return [];
      this.startFraming();
      return this.cut(false);
    }
    this.hold(chunk);
    this.framer.push(chunk);
    return this.cut(false);
  }

  /** End of input: the blocks left (the last may end in a record the engine will reject). */
  end(): CsvBlock[] {
    if (this.framer === undefined) {
      this.headEngine.end();
      if (this.headEngine.columns === undefined) return [];
      this.startFraming();
    }
    return this.cut(true);
  }

  private startFraming(): void {
    const engine = this.headEngine;
    const head = Buffer.concat(this.headChunks);
    this.headChunks = [];
    const start = engine.dataStart ?? { byteOffset: head.length, line: 1 };
    this.header = {
      columns: engine.columns!,
      delimiter: engine.delimiterInUse ?? ',',
      hadBom: engine.hadBom,
      lineBreak: engine.lineBreak,
    };
    this.heldStart = this.lastCut = start.byteOffset;
    this.heldLine = start.line;
    this.framer = new CsvFramer(
      Buffer.from(this.header.delimiter),
      this.maxRecordSize,
      {
        record: (_buf, base, _start, _contentEnd, end) => this.recordEnd(base + end),
        bad: (_code, _line, _raw, endOffset) => {
          // The framer may have read every byte given so far to decide this.
          this.noCutBefore = this.heldStart + this.heldBytes;
          this.recordEnd(endOffset);
        },
      },
      { line: start.line, offset: start.byteOffset },
    );
    const rest = head.subarray(start.byteOffset);
    if (rest.length > 0) {
      this.hold(rest);
      this.framer.push(rest);
    }
  }

  private hold(chunk: Buffer): void {
    this.held.push(chunk);
    this.heldBytes += chunk.length;
  }

  /** A record ends at `offset`: a cut point once the block reaches `blockSize` there. */
  private recordEnd(offset: number): void {
    if (offset - this.lastCut >= this.blockSize && offset >= this.noCutBefore) {
      this.cuts.push(offset);
      this.lastCut = offset;
    }
  }

  /** The blocks up to each cut point chosen; at the end, everything held as the last one. */
  private cut(final: boolean): CsvBlock[] {
    const ends = this.cuts;
    this.cuts = [];
    // Blank lines give no row: a last block of nothing else (a CR after the header) is dropped.
    if (final && !isBlankBytes(this.held)) ends.push(this.heldStart + this.heldBytes);
    if (ends.length === 0) return [];
    const all = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    const blocks: CsvBlock[] = [];
    let from = 0;
    for (const end of ends) {
      // A copy: the block goes to another thread, the rest stays here.
      const length = end - this.heldStart - from;
      const target = this.allocate(length);
      target.set(all.subarray(from, from + length));
      const bytes = Buffer.from(target.buffer, target.byteOffset, length);
      blocks.push({ bytes, byteOffset: this.heldStart + from, line: this.heldLine });
      this.heldLine += countLineFeeds(bytes);
      from = end - this.heldStart;
    }
    const rest = all.subarray(from);
    this.heldStart += from;
    this.held = rest.length > 0 ? [rest] : [];
    this.heldBytes = rest.length;
    return blocks;
  }
}

function countLineFeeds(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) n++;
  return n;
}

/** True when the bytes hold only spaces, tabs and line breaks (or nothing). */
function isBlankBytes(chunks: readonly Buffer[]): boolean {
  for (const chunk of chunks) {
    for (const byte of chunk) if (byte !== 32 && byte !== 9 && byte !== 13 && byte !== 10) return false;
  }
  return true;
}
