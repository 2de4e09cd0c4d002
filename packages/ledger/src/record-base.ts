import { SortedBase } from './base.js';
import { newBytes } from './growable.js';

/**
 * A records shard's entries: words [t, a, b] (the value is the 64-bit (a, b), which mixes in
 * the id hash, see state.ts) and the byte x: 13 bytes an entry, as snapshots store them.
 */
export class RecordBase extends SortedBase {
  declare column: Uint8Array;

  constructor() {
    super(3, newBytes(0));
  }

  /** Records are keyed by (t, x): `a` is their value. */
  find(t: number, x: number, _a: number): number {
    const { words, column } = this;
    for (let e = this.lowerBound(t); e < this.count && words[e * 3] === t; e++) {
      if (column[e] === x) return e;
    }
    return -1;
  }

  /**
   * The records' hot path. The search goes by t and value only, not x, which saves a memory
   * access per lookup (see Shard.hasValue for why that is safe).
   */
  hasValue(t: number, a: number, b: number): boolean {
    const words = this.words;
    for (let e = this.lowerBound(t); e < this.count && words[e * 3] === t; e++) {
      if (words[e * 3 + 1] === a && words[e * 3 + 2] === b) return true;
    }
    return false;
  }

  a(e: number): number {
    return this.words[e * 3 + 1]!;
  }

  b(e: number): number {
    return this.words[e * 3 + 2]!;
  }

  setValue(e: number, a: number, b: number): void {
    this.words[e * 3 + 1] = a;
    this.words[e * 3 + 2] = b;
  }

  protected write(e: number, t: number, x: number, a: number, b: number): void {
    this.words[e * 3] = t;
    this.words[e * 3 + 1] = a;
    this.words[e * 3 + 2] = b;
    this.column[e] = x;
  }
}
