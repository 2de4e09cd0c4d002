/**
 * The rows of a large input, kept compactly while PX's records stream by: per distinct id, the
 * 64-bit hash of the id, the 64-bit hash of its compared values, its field set, the row it came
 * from and what PX said of it. 29 bytes an id in typed arrays (plus the open-addressing index,
 * 4 to 8 bytes an id), so a million rows take about 40 MB, where a `Map` of id strings to row
 * objects took several hundred.
 *
 * Ids are known by their 64-bit hash (the ledger's `hashIdInto`, two 32-bit lanes): two ids
 * of one input share one with a chance of about n^2 / 2^65, 3e-8 for a million ids.
 */
import { hashIdInto, idKey } from '@pxstream/ledger';

/** What PX said of a row's id. */
export const UNSEEN = 0;
export const MATCH = 1;
export const DIFFER = 2;

const EMPTY = 0;
/** The index is grown past this load: linear probing stays short. */
const MAX_LOAD = 0.6;
const FIRST_CAPACITY = 1024;

export class IdTable {
  /** Ordinal + 1 per slot (0: empty); capacity a power of two. */
  private slots = new Uint32Array(FIRST_CAPACITY * 2);
  private mask = FIRST_CAPACITY * 2 - 1;
  private capacity = FIRST_CAPACITY;
  /** Distinct ids. */
  size = 0;
  /** Per ordinal: the id's hash (two words), the values' hash (two words). */
  ids = new Uint32Array(FIRST_CAPACITY * 2);
  hashes = new Uint32Array(FIRST_CAPACITY * 2);
  fieldSets = new Uint32Array(FIRST_CAPACITY);
  /** The 0-based index of the id's last row in the input (the one a load leaves in PX). */
  rows = new Uint32Array(FIRST_CAPACITY);
  states = new Uint8Array(FIRST_CAPACITY);

  /** The ordinal of `id`, added when new (`added` says which). */
  upsert(id: string): { ordinal: number; added: boolean } {
    hashIdInto(id);
    const found = this.find(idKey.hi, idKey.lo);
    if (found >= 0) return { ordinal: found, added: false };
    if (this.size >= this.capacity) this.growData();
    if ((this.size + 1) / this.slots.length > MAX_LOAD) this.growIndex();
    const ordinal = this.size++;
    this.ids[ordinal * 2] = idKey.hi;
    this.ids[ordinal * 2 + 1] = idKey.lo;
    this.place(ordinal);
    return { ordinal, added: true };
  }

  /** The ordinal of `id`, or -1. */
  get(id: string): number {
    hashIdInto(id);
    return this.find(idKey.hi, idKey.lo);
  }

  private find(hi: number, lo: number): number {
    const { slots, mask, ids } = this;
    for (let slot = (hi ^ lo) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === EMPTY) return -1;
      const ordinal = entry - 1;
      if (ids[ordinal * 2] === hi && ids[ordinal * 2 + 1] === lo) return ordinal;
    }
  }

  private place(ordinal: number): void {
    const { slots, mask, ids } = this;
    let slot = (ids[ordinal * 2]! ^ ids[ordinal * 2 + 1]!) & mask;
    while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    slots[slot] = ordinal + 1;
  }

  private growIndex(): void {
    this.slots = new Uint32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let ordinal = 0; ordinal < this.size; ordinal++) this.place(ordinal);
  }

  private growData(): void {
    this.capacity *= 2;
    const grown = <T extends Uint32Array | Uint8Array>(old: T, make: (n: number) => T, per: number): T => {
      const next = make(this.capacity * per);
      next.set(old);
      return next;
    };
    this.ids = grown(this.ids, (n) => new Uint32Array(n), 2);
    this.hashes = grown(this.hashes, (n) => new Uint32Array(n), 2);
    this.fieldSets = grown(this.fieldSets, (n) => new Uint32Array(n), 1);
    this.rows = grown(this.rows, (n) => new Uint32Array(n), 1);
    this.states = grown(this.states, (n) => new Uint8Array(n), 1);
  }
}
