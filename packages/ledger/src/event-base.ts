import { SortedBase } from './base.js';
import { newHalves } from './growable.js';

/**
 * An events shard's entries: words [t, a] (the key: with the shard, 72 bits of the event's
 * hash) and the 16-bit value `state | day << 2` (state.ts): 10 bytes an entry, as snapshots of
 * format 3 store them. At 30 days of 1M events a day that is 286 MB of table, against 372 MB
 * at the 13 bytes of format 2 (a 32-bit value and an 8-bit x beside t and a).
 */
export class EventBase extends SortedBase {
  declare column: Uint16Array;

  constructor() {
    super(2, newHalves(0));
  }

  /** Events are keyed by (t, a): their x is always 0 (see FingerprintTable). */
  find(t: number, _x: number, a: number): number {
    const words = this.words;
    for (let e = this.lowerBound(t); e < this.count && words[e * 2] === t; e++) {
      if (words[e * 2 + 1] === a) return e;
    }
    return -1;
  }

  hasValue(t: number, a: number, b: number): boolean {
    const e = this.find(t, 0, a);
    return e >= 0 && this.column[e] === b;
  }

  a(e: number): number {
    return this.words[e * 2 + 1]!;
  }

  b(e: number): number {
    return this.column[e]!;
  }

  setValue(e: number, _a: number, b: number): void {
    this.column[e] = b;
  }

  protected write(e: number, t: number, _x: number, a: number, b: number): void {
    this.words[e * 2] = t;
    this.words[e * 2 + 1] = a;
    this.column[e] = b;
  }
}
