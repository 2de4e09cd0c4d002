import { growBytes, growWords, newBytes, newWords } from './growable.js';

/**
 * A shard's sorted entries: 3 words [t, a, b] each, sorted by t, and a parallel byte x: 13
 * bytes an entry. A small directory by the top `bits` of t (buckets of 32 to 64 entries, so it
 * stays in the CPU cache: 0.5 MB for 10M entries) narrows a search to one bucket, and since
 * hashed t are uniform, the position inside the bucket is interpolated: a lookup then costs one
 * memory miss, not two (on this kind of machine a miss, not arithmetic, is the price of a lookup).
 */
export class SortedBase {
  /** Entries of bucket k are [dir[k], dir[k + 1]); the bucket of t is t >>> (32 - bits). */
  private dir: Uint32Array = new Uint32Array(2);
  private bits = 0;
  /** Room for at least `count` entries; the arrays only ever grow (in place, see growable.ts). */
  words: Uint32Array = newWords(0);
  xs: Uint8Array = newBytes(0);
  count = 0;

  /** Takes sorted entries (a snapshot read); false if they are not sorted. */
  load(words: Uint32Array, xs: Uint8Array): boolean {
    this.words = words;
    this.xs = xs;
    this.count = xs.length;
    return this.buildDir();
  }

  /** Where t's entry should be, interpolated in its bucket (reads the directory only). */
  guess(t: number, limit = this.count): number {
    const bits = this.bits;
    const k = bits === 0 ? 0 : t >>> (32 - bits);
    const start = this.dir[k]!;
    const end = Math.min(this.dir[k + 1]!, limit);
    if (start >= end) return Math.min(start, limit);
    const within = (bits === 0 ? t : (t << bits) >>> 0) / 4294967296; // where t falls in its bucket
    return start + Math.floor(within * (end - start));
  }

  /** The first entry below `limit` whose t is >= t. */
  lowerBound(t: number, limit = this.count): number {
    let e = this.guess(t, limit);
    const words = this.words;
    while (e > 0 && words[(e - 1) * 3]! >= t) e--;
    while (e < limit && words[e * 3]! < t) e++;
    return e;
  }

  /** The entry of key (t, x[, a]), or -1. */
  find(t: number, x: number, a: number, matchA: boolean): number {
    const words = this.words;
    for (let e = this.lowerBound(t); e < this.count && words[e * 3] === t; e++) {
      if (this.xs[e] === x && (!matchA || words[e * 3 + 1] === a)) return e;
    }
    return -1;
  }

  /** True when an entry has this t and the value (a, b) (see Shard.hasValue for why x is not read). */
  hasValue(t: number, a: number, b: number): boolean {
    const words = this.words;
    for (let e = this.lowerBound(t); e < this.count && words[e * 3] === t; e++) {
      if (words[e * 3 + 1] === a && words[e * 3 + 2] === b) return true;
    }
    return false;
  }

  /** Reads an entry's first word, so that a batch's cache misses overlap before the searches. */
  peek(entry: number): number {
    return this.words[entry * 3] ?? 0;
  }

  dropRemoved(removed: Uint8Array): void {
    const { words, xs } = this;
    let out = 0;
    for (let e = 0; e < this.count; e++) {
      if (removed[e] === 1) continue;
      if (out !== e) {
        words.copyWithin(out * 3, e * 3, e * 3 + 3);
        xs[out] = xs[e]!;
      }
      out++;
    }
    this.count = out;
    this.buildDir(); // insertSorted finds its places through the directory
  }

  /**
   * Replaces each entry's `b` by next(b) and drops the entries it maps below 0, in one pass, in
   * place: expiring a large ledger's events needs neither a copy nor a mask of the table.
   */
  rewriteValues(next: (b: number) => number): number {
    const { words, xs, count } = this;
    let out = 0;
    for (let e = 0; e < count; e++) {
      const b = next(words[e * 3 + 2]!);
      if (b < 0) continue;
      if (out !== e) {
        words[out * 3] = words[e * 3]!;
        words[out * 3 + 1] = words[e * 3 + 1]!;
        xs[out] = xs[e]!;
      }
      words[out * 3 + 2] = b;
      out++;
    }
    this.count = out;
    if (out !== count) this.buildDir();
    return count - out;
  }

  /**
   * Merges new entries (the first n of `inserts`: slot offsets into `slots`, in the overlay's
   * layout, sorted by t) in from the end backwards: the entries between two insert points move
   * as one block (a native memmove).
   */
  insertSorted(inserts: ArrayLike<number>, n: number, slots: Uint32Array): void {
    const total = this.count + n;
    if (this.xs.length < total) {
      const capacity = total + (total >>> 3) + 64;
      this.words = growWords(this.words, capacity * 3);
      this.xs = growBytes(this.xs, capacity);
    }
    const { words, xs } = this;
    let end = this.count; // entries [0, end) have not moved yet
    for (let k = n - 1; k >= 0; k--) {
      const s = inserts[k]!;
      const t = slots[s]!;
      let at = this.lowerBound(t, end);
      while (at < end && words[at * 3]! <= t) at++;
      if (at < end) {
        words.copyWithin((at + k + 1) * 3, at * 3, end * 3);
        xs.copyWithin(at + k + 1, at, end);
      }
      words[(at + k) * 3] = t;
      words[(at + k) * 3 + 1] = slots[s + 2]!;
      words[(at + k) * 3 + 2] = slots[s + 3]!;
      xs[at + k] = slots[s + 1]! & 0xff;
      end = at;
    }
    this.count = total;
    this.buildDir();
  }

  /** Rebuilds the directory for the current count; false if entries are out of order. */
  private buildDir(): boolean {
    const { words, count } = this;
    let bits = 0;
    while (count >>> bits > 64) bits++;
    const size = (1 << bits) + 1;
    const dir = this.dir.length === size ? this.dir.fill(0) : new Uint32Array(size);
    const shift = 32 - bits;
    let previous = 0;
    for (let e = 0; e < count; e++) {
      const t = words[e * 3]!;
      if (t < previous) return false;
      previous = t;
      if (bits > 0) dir[(t >>> shift) + 1]!++;
    }
    if (bits === 0) dir[1] = count;
    for (let k = 1; k < size; k++) dir[k]! += dir[k - 1]!;
    this.dir = dir;
    this.bits = bits;
    return true;
  }
}
