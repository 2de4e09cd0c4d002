import { StringDecoder } from 'node:string_decoder';
import { jsonParser } from 'stream-json/core/parser.js';
import { streamArray } from 'stream-json/core/streamers/stream-array.js';
import type { Gap } from './scanner.js';

/**
 * stream-chain's "no value" marker, which also asks a stage to flush. stream-chain names its
 * symbols `Symbol.for('object-stream.<name>')` so that code not depending on it can use them.
 */
export const NONE = Symbol.for('object-stream.none');

/**
 * Text that puts a fresh parser (or verifier) in the state the parser is in at each gap of the
 * array: the dummy elements it holds are dropped.
 */
export const GAP_TEXT: Record<Gap, string> = {
  start: '',
  open: '[',
  comma: '["",',
  element: '[""',
  closed: '[]',
};

/**
 * stream-json's array streaming (its tokenizer, then `streamArray`), driven by plain calls
 * instead of a chain of streams: bytes in, each element's value out as soon as it is complete.
 * The tokenizer packs values only (`streamValues: false`): `streamArray` reads nothing else.
 */
export class ElementParser {
  private readonly decoder = new StringDecoder('utf8');
  private readonly tokenize = jsonParser({ streamValues: false });
  private readonly assemble = streamArray();

  /** `gap`: what precedes the first byte given (`start` at the start of the input). */
  constructor(
    private readonly onElement: (value: unknown) => void,
    gap: Gap,
  ) {
    if (gap !== 'start') this.parse(GAP_TEXT[gap], false);
  }

  write(bytes: Buffer): void {
    this.writeText(this.decoder.write(bytes));
  }

  writeText(text: string): void {
    if (text.length > 0) this.parse(text, true);
  }

  /** The end of the input: the tokenizer throws if it was waiting for more. */
  end(): void {
    const text = this.decoder.end();
    if (text.length > 0) this.parse(text, true);
    this.parse(NONE as unknown as string, true);
  }

  private parse(text: string, deliver: boolean): void {
    const tokens = this.tokenize(text);
    if (typeof tokens === 'symbol') return;
    const list = tokens.values;
    for (let i = 0; i < list.length; i++) {
      const item = this.assemble(list[i]!);
      if (typeof item !== 'symbol' && deliver) this.onElement((item as { value: unknown }).value);
    }
  }
}
