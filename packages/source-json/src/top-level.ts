import { fatalJsonError, type JsonArrayError } from './errors.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Judges an input whose first value is not an array, to fail with the error that says what to
 * do. A first value other than an object (a number, a string, text that is not JSON) fails at
 * once. An object is followed, without being parsed and for at most `maxSize` bytes, to see
 * what comes after it:
 * - another value, the object being on one line and the next value on a later one: a JSON-lines
 *   file (`JSON_LOOKS_LIKE_JSONL`, read it with `-f jsonl`);
 * - another value otherwise: a stream of JSON values, e.g. `jq` output without `-s`;
 * - nothing: one object, maybe holding the records under a key.
 */
export class TopLevelProbe {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Line where the first value ends, once it has. */
  private firstEnd: number | undefined;
  private line: number;

  /** `start`: where the first value starts (not an `[`). */
  constructor(
    private readonly maxSize: number,
    private readonly start: { offset: number; line: number },
  ) {
    this.line = start.line;
  }

  /** Reads `buf` (at input offset `base`) from `from`; throws once the input is judged. */
  scan(buf: Buffer, from: number, base: number): void {
    let line = this.line;
    for (let i = from; i < buf.length; i++) {
      const c = buf[i]!;
      if (this.firstEnd !== undefined) {
        if (c === LF) line++;
        else if (c !== SPACE && c !== TAB && c !== CR) throw this.severalValues(line);
        continue;
      }
      if (this.depth === 0) {
        if (c !== OPEN_BRACE) throw notAnArray(this.start.line, describeStart(c, this.start.line));
        this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--this.depth === 0) this.firstEnd = line;
      } else if (c === LF) line++;
    }
    if (this.firstEnd === undefined && base + buf.length - this.start.offset > this.maxSize) {
      throw this.oneObject();
    }
    this.line = line;
  }

  /** The input ended: one value only (or an object never closed). */
  end(): never {
    throw this.oneObject();
  }

  private oneObject(): JsonArrayError {
    return notAnArray(
      this.start.line,
      `its top level is an object (line ${this.start.line}), not an array of records: if the records are under one of its keys, extract them first, e.g. \`jq '.users' file.json\``,
    );
  }

  private severalValues(nextLine: number): JsonArrayError {
    const first = this.start.line;
    if (this.firstEnd === first && nextLine > first) {
      return fatalJsonError(
        'JSON_LOOKS_LIKE_JSONL',
        `the input is not a JSON array: it holds one JSON object per line (lines ${first} and ${nextLine} start one each), which is JSON-lines: read it with -f jsonl`,
        first,
      );
    }
    return notAnArray(
      first,
      `it holds several top-level values (the first on line ${first}, the next on line ${nextLine}), not one array of records: make it an array with \`jq -s . file\` (or one object per line with \`jq -c . file\`, then read it with -f jsonl)`,
    );
  }
}

function notAnArray(line: number, what: string): JsonArrayError {
  return fatalJsonError('JSON_NOT_ARRAY', `the input is not a JSON array: ${what}`, line);
}

function describeStart(c: number, line: number): string {
  const shown =
    c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
  return `it starts with ${shown} on line ${line}, where a '[' opening an array of records is expected`;
}
