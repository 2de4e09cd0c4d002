import { rawText } from './raw.js';
import type { Gap } from './scanner.js';

/**
 * The input bytes from the checkpoint on: the last offset where the parser's state is known
 * (just past an element, or a gap between elements the parser has fully read). They serve to
 * place a syntax error exactly and to quote a rejected element; chunks wholly before the
 * checkpoint are dropped, so at most one element and a chunk are held.
 */
export class HeldInput {
  /** The checkpoint: its input offset, its line and what precedes it. */
  offset: number;
  line: number;
  gap: Gap;
  private chunks: Buffer[] = [];
  /** Input offset of the first chunk. */
  private base: number;

  constructor(offset: number, line: number, gap: Gap) {
    this.offset = this.base = offset;
    this.line = line;
    this.gap = gap;
  }

  /** The next chunk of input (chunks follow each other without a gap). */
  add(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  /** Holds nothing until `restart` (an element over the limit is being passed over). */
  clear(): void {
    this.chunks = [];
  }

  /** Holds `chunk` only, which starts at input offset `base`. */
  restart(chunk: Buffer, base: number): void {
    this.chunks = [chunk];
    this.base = base;
  }

  mark(offset: number, line: number, gap: Gap): void {
    this.offset = offset;
    this.line = line;
    this.gap = gap;
  }

  /** Drops the chunks that end before the checkpoint. */
  trim(): void {
    const chunks = this.chunks;
    while (chunks.length > 0 && this.base + chunks[0]!.length <= this.offset) {
      this.base += chunks.shift()!.length;
    }
  }

  /** The text from the checkpoint up to input offset `end`. */
  text(end: number): string {
    const parts: Buffer[] = [];
    let at = this.base;
    for (const chunk of this.chunks) {
      const from = Math.max(this.offset, at);
      const to = Math.min(end, at + chunk.length);
      if (from < to) parts.push(chunk.subarray(from - at, to - at));
      at += chunk.length;
    }
    return Buffer.concat(parts).toString('utf8');
  }

  /** The raw text of input bytes `[start, end)` for a rejection (see `rawText`). */
  raw(start: number, end: number, limit?: number): string {
    return rawText(this.chunks, this.base, start, end, limit);
  }
}
