import { EventBase } from './event-base.js';
import type { Column } from './growable.js';
import { DELETED, OCCUPIED, Overlay } from './overlay.js';
import { RecordBase } from './record-base.js';

/**
 * One shard of the in-memory table: a sorted base (base.ts) plus an overlay of recent changes
 * (overlay.ts), folded into the base when it grows past 1/64 of it, so a merge rewrites one
 * shard, never the whole table, and holds the event loop for well under a millisecond. Merges
 * work in place: updates where the entry stands, inserts merged in from the end.
 *
 * An entry is a key fingerprint (records: t and x, 40 bits; events: t and `a`, 64 bits) and a
 * value (a, b): the base keeps each kind in its own layout (record-base.ts, event-base.ts).
 */

/** The value of the entry the last successful `get` found. */
export const found = { a: 0, b: 0 };

/** Returned by put/remove when the key was absent (a stored `b` is always >= 0). */
export const ABSENT = -1;

const MIN_MERGE = 64;

/**
 * Scratch of Shard.apply (slot offsets of the changes to insert), shared by all shards: a merge
 * runs to its end synchronously, and a journal's merge at open would otherwise leave an array
 * of garbage per shard.
 */
let inserts = new Uint32Array(1024);

export class Shard {
  private readonly base: RecordBase | EventBase;
  private readonly overlay: Overlay;

  /** `matchA`: an events shard (key t, x, a; x is always 0 for them), else records (key t, x). */
  constructor(matchA: boolean) {
    this.base = matchA ? new EventBase() : new RecordBase();
    this.overlay = new Overlay(matchA);
  }

  get baseCount(): number {
    return this.base.count;
  }

  /** Finds a key; on success its value is in `found`. */
  get(t: number, x: number, a: number): boolean {
    if (this.overlay.used !== 0) {
      const s = this.overlay.find(t, x, a);
      const slots = this.overlay.slots;
      const flags = slots[s + 1]!;
      if (flags !== 0) {
        if ((flags & DELETED) !== 0) return false;
        found.a = slots[s + 2]!;
        found.b = slots[s + 3]!;
        return true;
      }
    }
    const entry = this.base.find(t, x, a);
    if (entry < 0) return false;
    found.a = this.base.a(entry);
    found.b = this.base.b(entry);
    return true;
  }

  /**
   * True when the key's value is (a, b): the records' hot path. The base is searched by t and
   * value only, not x, which saves a memory access per lookup: another key with the same t
   * holding the very value expected is as unlikely as a 64-bit collision, since a record's
   * value mixes in its whole id hash.
   */
  hasValue(t: number, x: number, a: number, b: number): boolean {
    if (this.overlay.used !== 0) {
      const s = this.overlay.find(t, x, a);
      const slots = this.overlay.slots;
      if (slots[s + 1] !== 0)
        return (slots[s + 1]! & DELETED) === 0 && slots[s + 2] === a && slots[s + 3] === b;
    }
    return this.base.hasValue(t, a, b);
  }

  /** For a batch: where t's entry should be (reads the small directory only)... */
  guess(t: number): number {
    return this.base.guess(t);
  }

  /** ...then a read of that entry, for all keys of the batch before any search: the misses overlap. */
  peek(entry: number): number {
    return this.base.peek(entry);
  }

  /** Sets a key's value; returns the `b` it had, or ABSENT. */
  put(t: number, x: number, a: number, b: number): number {
    const previous = this.get(t, x, a) ? found.b : ABSENT;
    this.set(t, x, a, b);
    return previous;
  }

  /** Sets a key's value when the caller already looked it up (saves put's lookup). */
  set(t: number, x: number, a: number, b: number): void {
    this.overlay.write(t, x, a, b, OCCUPIED);
    this.mergeIfDue();
  }

  /** Removes a key; returns the `b` it had, or ABSENT (and then changes nothing). */
  remove(t: number, x: number, a: number): number {
    if (!this.get(t, x, a)) return ABSENT;
    const previous = found.b;
    this.overlay.write(t, x, a, 0, OCCUPIED | DELETED);
    this.mergeIfDue();
    return previous;
  }

  /** Folds the overlay into the base. */
  merge(): void {
    if (this.overlay.used === 0) return;
    this.apply(this.overlay.slots, this.overlay.sortedOffsets());
    this.overlay.clear();
  }

  /**
   * Folds changes into the base: slots in the overlay's layout ([t, flags | x, a, b], a removal
   * flagged DELETED), at `offsets` sorted by t, one per key. The overlay must be empty (or hold
   * none of their keys): a journal's changes after a snapshot read, or the overlay itself.
   */
  apply(slots: Uint32Array, offsets: ArrayLike<number>): void {
    const { base } = this;
    if (inserts.length < offsets.length) inserts = new Uint32Array(offsets.length + (offsets.length >>> 2));
    let inserted = 0;
    let removed: Uint8Array | undefined;
    for (let m = 0; m < offsets.length; m++) {
      const s = offsets[m]!;
      const deleted = (slots[s + 1]! & DELETED) !== 0;
      const entry = base.find(slots[s]!, slots[s + 1]! & 0xff, slots[s + 2]!);
      if (entry < 0) {
        if (!deleted) inserts[inserted++] = s;
      } else if (deleted) {
        removed ??= new Uint8Array(base.count);
        removed[entry] = 1;
      } else {
        base.setValue(entry, slots[s + 2]!, slots[s + 3]!);
      }
    }
    if (removed) base.dropRemoved(removed);
    if (inserted > 0) base.insertSorted(inserts, inserted, slots);
  }

  /** Merges, then rewrites every `b` through `next`, dropping entries it maps to ABSENT; returns how many. */
  rewriteValues(next: (b: number) => number): number {
    this.merge();
    return this.base.rewriteValues(next);
  }

  /**
   * Takes sorted entries as the base (a snapshot read), in the kind's layout (records: 3 words
   * and a byte x each; events: 2 words and a 16-bit value); false if they are not sorted.
   */
  load(words: Uint32Array, column: Column): boolean {
    this.overlay.clear();
    return this.base.load(words, column);
  }

  /** The base as stored on disk: words, then the column (merge first to include the overlay). */
  view(): { words: Uint32Array; column: Column } {
    return this.base.view();
  }

  private mergeIfDue(): void {
    const used = this.overlay.used;
    if (used > MIN_MERGE && used > this.base.count >>> 6) this.merge();
  }
}
