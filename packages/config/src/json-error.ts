/**
 * Locates the first syntax error of an invalid JSON text, for a message with line and column.
 * V8's own messages are not used: some quote the text around the error (which may hold the
 * API key) and some carry no position at all. The reason returned never quotes the text.
 */

export interface JsonErrorPosition {
  /** 0-based character index of the error. */
  index: number;
  /** 1-based line and column. */
  line: number;
  column: number;
  reason: string;
}

class Scan {
  index = 0;
  constructor(readonly text: string) {}

  fail(reason: string): never {
    throw new JsonSyntax(this.index, reason);
  }

  ws(): void {
    const t = this.text;
    while (this.index < t.length && ' \t\n\r'.includes(t[this.index]!)) this.index++;
  }

  value(): void {
    this.ws();
    const c = this.text[this.index];
    if (c === undefined) this.fail('unexpected end of input');
    if (c === '{') this.object();
    else if (c === '[') this.array();
    else if (c === '"') this.string();
    else if (c === '-' || (c >= '0' && c <= '9')) this.number();
    else if (!this.literal('true') && !this.literal('false') && !this.literal('null')) {
      this.fail(c === "'" ? 'single quotes are not JSON (use ")' : 'unexpected character (expected a value)');
    }
  }

  literal(word: string): boolean {
    if (!this.text.startsWith(word, this.index)) return false;
    this.index += word.length;
    return true;
  }

  object(): void {
    this.index++;
    this.ws();
    if (this.text[this.index] === '}') {
      this.index++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.text[this.index] !== '"') {
        this.fail(
          this.text[this.index] === '}' ? 'trailing comma' : 'expected a double-quoted property name',
        );
      }
      this.string();
      this.ws();
      if (this.text[this.index] !== ':') this.fail('expected ":" after a property name');
      this.index++;
      this.value();
      this.ws();
      const c = this.text[this.index];
      if (c === ',') this.index++;
      else if (c === '}') {
        this.index++;
        return;
      } else this.fail(c === undefined ? 'unexpected end of input' : 'expected "," or "}"');
    }
  }

  array(): void {
    this.index++;
    this.ws();
    if (this.text[this.index] === ']') {
      this.index++;
      return;
    }
    for (;;) {
      this.value();
      this.ws();
      const c = this.text[this.index];
      if (c === ',') {
        this.index++;
        this.ws();
        if (this.text[this.index] === ']') this.fail('trailing comma');
      } else if (c === ']') {
        this.index++;
        return;
      } else this.fail(c === undefined ? 'unexpected end of input' : 'expected "," or "]"');
    }
  }

  string(): void {
    const t = this.text;
    this.index++;
    while (this.index < t.length) {
      const c = t[this.index]!;
      if (c === '"') {
        this.index++;
        return;
      }
      if (c < ' ') this.fail('control character (such as a line break) inside a string');
      if (c === '\\') {
        const e = t[this.index + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.index + 2, this.index + 6))) this.fail('bad \\u escape');
          this.index += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail('bad escape in a string');
        this.index += 2;
        continue;
      }
      this.index++;
    }
    this.fail('unterminated string');
  }

  number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(
      this.text.slice(this.index, this.index + 400),
    );
    if (!match) this.fail('bad number');
    this.index += match[0].length;
  }
}

class JsonSyntax extends Error {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Line and column (1-based) of a character index. */
export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(index, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function findJsonError(text: string): JsonErrorPosition | undefined {
  const scan = new Scan(text);
  try {
    scan.value();
    scan.ws();
    if (scan.index < text.length) scan.fail('unexpected characters after the end of the JSON value');
    return undefined;
  } catch (error) {
    if (!(error instanceof JsonSyntax)) throw error;
    return { index: error.index, reason: error.reason, ...lineColumn(text, error.index) };
  }
}
