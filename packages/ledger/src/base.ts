import { type Column, grow, newWords } from './growable.js';

/**
 * A shard's sorted entries: `stride` words each, the fingerprint t first, sorted by t, and a
 * parallel column of one element an entry. What the words and the column hold is the kind's
 * (record-base.ts: [t, a, b] and the byte x, 13 bytes; event-base.ts: [t, a] and the 16-bit
 * value, 10 bytes). A small directory by the top `bits` of t (buckets of 32 to 64 entries, so
 * it stays in the CPU cache: 0.5 MB for 10M entries) narrows a search to one bucket, and since
 * hashed t are uniform, the position inside the bucket is interpolated: a lookup then costs one
 * memory miss, not two (on this kind of machine a miss, not arithmetic, is the price of a lookup).
 */
export abstract class SortedBase {
  /** Entries of bucket k are [dir[k], dir[k + 1]); the bucket of t is t >>> (32 - bits). */
  private dir: Uint32Array = new Uint32Array(2);
  private bits = 0;
  /** Room for at least `count` entries; the arrays only ever grow (in place, see growable.ts). */
  words: Uint32Array = newWords(0);
  count = 0;

  constructor(
    /** Words an entry. */
    readonly stride: number,
    /** One element an entry (its type is the kind's). */
    public column: Column,
  ) {}

  /** The entry of key (t, x, a), or -1 (each kind compares the parts of the key it keeps). */
  abstract find(t: number, x: number, a: number): number;
  /** True when an entry has this t and the value (a, b). */
  abstract hasValue(t: number, a: number, b: number): boolean;
  /** The value (a, b) of entry e. */
  abstract a(e: number): number;
  abstract b(e: number): number;
  /** Sets entry e's value (events: `a` is part of their key and stays). */
  abstract setValue(e: number, a: number, b: number): void;
  /** Writes the whole entry e. */
  protected abstract write(e: number, t: number, x: number, a: number, b: number): void;

  /** Takes sorted entries (a snapshot read); false if they are not sorted. */
  load(words: Uint32Array, column: Column): boolean {
    if (
      column.BYTES_PER_ELEMENT !== this.column.BYTES_PER_ELEMENT ||
      words.length !== column.length * this.stride
    )
      throw new Error('ledger: entries of another layout'); // a bug, not a file's fault
    this.words = words;
    this.column = column;
    this.count = column.length;
    return this.buildDir();
  }

  /** The entries as stored on disk: their words, then their column. */
  view(): { words: Uint32Array; column: Column } {
    return {
      words: this.words.subarray(0, this.count * this.stride),
      column: this.column.subarray(0, this.count),
    };
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
    const { words, stride } = this;
    while (e > 0 && words[(e - 1) * stride]! >= t) e--;
    while (e < limit && words[e * stride]! < t) e++;
    return e;
  }

  /** Reads an entry's first word, so that a batch's cache misses overlap before the searches. */
  peek(entry: number): number {
    return this.words[entry * this.stride] ?? 0;
  }

  dropRemoved(removed: Uint8Array): void {
    let out = 0;
    for (let e = 0; e < this.count; e++) {
      if (removed[e] === 1) continue;
      if (out !== e) this.move(out, e);
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
    const { count } = this;
    let out = 0;
    for (let e = 0; e < count; e++) {
      const b = next(this.b(e));
      if (b < 0) continue;
      if (out !== e) this.move(out, e);
      this.setValue(out, this.a(out), b);
      out++;
    }
    this.count = out;
    if (out !== count) this.buildDir();
    return count - out;
  }

  /**
   * Merges new entries (the first n of `inserts`: slot offsets into `slots`, in the overlay's
   * layout [t, flags | x, a, b], sorted by t) in from the end backwards: the entries between
   * two insert points move as one block (a native memmove).
   */
  insertSorted(inserts: ArrayLike<number>, n: number, slots: Uint32Array): void {
    const total = this.count + n;
    const { stride } = this;
    if (this.column.length < total) {
      const capacity = total + (total >>> 3) + 64;
      this.words = grow(this.words, capacity * stride);
      this.column = grow(this.column, capacity);
    }
    const { words, column } = this;
    let end = this.count; // entries [0, end) have not moved yet
    for (let k = n - 1; k >= 0; k--) {
      const s = inserts[k]!;
      const t = slots[s]!;
      let at = this.lowerBound(t, end);
      while (at < end && words[at * stride]! <= t) at++;
      if (at < end) {
        words.copyWithin((at + k + 1) * stride, at * stride, end * stride);
        column.copyWithin(at + k + 1, at, end);
      }
      this.write(at + k, t, slots[s + 1]! & 0xff, slots[s + 2]!, slots[s + 3]!);
      end = at;
    }
    this.count = total;
    this.buildDir();
  }

  /** Copies entry `from` over entry `to`. */
  private move(to: number, from: number): void {
    const { words, stride } = this;
    for (let w = 0; w < stride; w++) words[to * stride + w] = words[from * stride + w]!;
    this.column[to] = this.column[from]!;
  }

  /** Rebuilds the directory for the current count; false if entries are out of order. */
  private buildDir(): boolean {
    const { words, count, stride } = this;
    let bits = 0;
    while (count >>> bits > 64) bits++;
    const size = (1 << bits) + 1;
    const dir = this.dir.length === size ? this.dir.fill(0) : new Uint32Array(size);
    const shift = 32 - bits;
    let previous = 0;
    for (let e = 0; e < count; e++) {
      const t = words[e * stride]!;
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
