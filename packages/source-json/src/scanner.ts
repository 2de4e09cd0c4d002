const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Where the scanner stands when no element is open: the last thing read at the array's level.
 * `start`: nothing yet; `open`: the `[`; `comma`: a `,`; `element`: an element; `closed`: the `]`.
 */
export type Gap = 'start' | 'open' | 'comma' | 'element' | 'closed';

/** The elements the scanner has delimited, in order, until the parser hands their values over. */
export class ElementQueue {
  readonly starts: number[] = [];
  readonly lines: number[] = [];
  readonly ends: number[] = [];
  readonly endLines: number[] = [];
  /** The next element to take. */
  head = 0;

  push(start: number, line: number, end: number, endLine: number): void {
    this.starts.push(start);
    this.lines.push(line);
    this.ends.push(end);
    this.endLines.push(endLine);
  }

  /** Every element delimited so far was taken. */
  get drained(): boolean {
    return this.head === this.ends.length;
  }

  /** Empties the queue once every element was taken (the parser keeps up chunk by chunk). */
  compact(): void {
    if (this.head === 0 || this.head < this.ends.length) return;
    this.head = 0;
    this.starts.length = this.lines.length = this.ends.length = this.endLines.length = 0;
  }
}

/** What the scanner tells its owner about an element over the size limit. */
export interface OversizeHandler {
  /**
   * The open element is over the limit. `start` is its first byte in the current chunk
   * (negative when it began in an earlier one), `line` its line.
   */
  tooLarge(start: number, line: number): void;
  /** The element found too large ends at `end` in the current chunk, on line `line`. */
  tooLargeEnd(end: number, line: number): void;
}

/**
 * Delimits the elements of a top-level JSON array in the raw bytes, for what stream-json's
 * token stream does not give: the line where each element starts, the byte offset and line
 * where it ends, and its size before it is parsed. It follows strings (and their escapes) and
 * brackets only; it does not validate: the parser does, on the same bytes, right after.
 *
 * Whitespace and strings are never decoded, and bytes inside an element go through one tight
 * loop: this runs at a small fraction of the parser's cost.
 */
export class ArrayScanner {
  readonly queue = new ElementQueue();
  /** Input offset of the first byte of the next chunk. */
  base: number;
  /** 1-based line of the next byte. */
  line: number;
  gap: Gap;
  /** An element has started and not ended. */
  open = false;
  /** The open element is over the limit: its bytes are passed over until it ends. */
  skipping = false;
  /** 0 outside the array, 1 between its elements, 2 and more inside an object or array element. */
  private depth: number;
  private inString = false;
  /** The chunk ended on a backslash inside a string: the next byte is escaped. */
  private escaped = false;
  /** The open element is a number or a literal: the byte after it ends it. */
  private bare = false;
  private elementStart = 0;
  private elementLine = 0;

  constructor(
    private readonly maxSize: number,
    private readonly oversize: OversizeHandler,
    from: { offset: number; line: number; inArray: boolean },
  ) {
    this.base = from.offset;
    this.line = from.line;
    this.depth = from.inArray ? 1 : 0;
    this.gap = from.inArray ? 'element' : 'start';
  }

  /** Line where the open element starts. */
  get openLine(): number {
    return this.elementLine;
  }

  /**
   * Scans `buf` from `from`. Returns -1, or the position of the first value when it is not
   * an array (nothing is scanned after it).
   */
  scan(buf: Buffer, from: number): number {
    const n = buf.length;
    const base = this.base;
    let i = from;
    let depth = this.depth;
    let line = this.line;
    let inString = this.inString;
    outer: while (i < n) {
      if (inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
        }
        for (;;) {
          if (i >= n) break outer;
          const c = buf[i++];
          if (c === QUOTE) break;
          if (c === BACKSLASH) {
            if (i >= n) {
              this.escaped = true;
              break outer;
            }
            i++;
          }
        }
        inString = false;
        if (depth === 1) this.end(i, line);
        continue;
      }
      if (depth > 1) {
        while (i < n) {
          const c = buf[i++];
          if (c === QUOTE) {
            inString = true;
            continue outer;
          }
          if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
          else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
            if (--depth === 1) {
              this.end(i, line);
              continue outer;
            }
          } else if (c === LF) line++;
        }
        break;
      }
      const c = buf[i]!;
      if (this.bare) {
        if (c !== COMMA && c !== CLOSE_BRACKET && c !== SPACE && c !== LF && c !== CR && c !== TAB) {
          i++;
          continue;
        }
        this.end(i, line);
      }
      i++;
      if (c === SPACE || c === TAB || c === CR) continue;
      if (c === LF) {
        line++;
        continue;
      }
      if (depth === 0) {
        // After the closing bracket anything else is for the parser to refuse.
        if (this.gap === 'closed') continue;
        if (c !== OPEN_BRACKET) {
          this.line = line;
          return i - 1;
        }
        depth = 1;
        this.gap = 'open';
      } else if (c === COMMA) this.gap = 'comma';
      else if (c === CLOSE_BRACKET) {
        depth = 0;
        this.gap = 'closed';
      } else {
        this.open = true;
        this.elementStart = base + i - 1;
        this.elementLine = line;
        if (c === OPEN_BRACE || c === OPEN_BRACKET) depth = 2;
        else if (c === QUOTE) inString = true;
        else this.bare = true;
      }
    }
    this.depth = depth;
    this.line = line;
    this.inString = inString;
    if (this.open && !this.skipping && base + n - this.elementStart > this.maxSize) {
      this.skipping = true;
      this.oversize.tooLarge(this.elementStart - base, this.elementLine);
    }
    this.base = base + n;
    return -1;
  }

  /** The open element ends at `at` in the current chunk, on line `line`. */
  private end(at: number, line: number): void {
    const end = this.base + at;
    this.open = false;
    this.bare = false;
    this.gap = 'element';
    if (this.skipping) {
      this.skipping = false;
      this.oversize.tooLargeEnd(at, line);
    } else if (end - this.elementStart > this.maxSize) {
      this.oversize.tooLarge(this.elementStart - this.base, this.elementLine);
      this.oversize.tooLargeEnd(at, line);
    } else {
      this.queue.push(this.elementStart, this.elementLine, end, line);
    }
  }
}
