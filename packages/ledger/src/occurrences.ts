/** Slots of a new table (a power of two). */
const INITIAL_SLOTS = 1024;

/**
 * Counts how often each content hash has been seen, so the n-th of identical rows can be told
 * from the first. Written by hand rather than as a `Map<string, number>`: a Map costs about
 * 100 bytes a distinct row (the 40-character key, the entry), a gigabyte at 10M events; this
 * open-addressing table keeps 64 bits of the hash and a count in 12 bytes a slot, at most half
 * full: 12 to 24 bytes a distinct row (at 1M events a day, 12-24 MB, beside the ledger's 13
 * bytes per event kept for the whole retention window).
 *
 * Two different contents share a count only when 64 bits of their SHA-1 collide (about
 * n^2 / 2^65: 3e-6 at 10M rows). Then a row gets a higher occurrence number than it should:
 * an identity no earlier run used, so the event is sent (at worst a duplicate), never dropped.
 */
export class OccurrenceCounter {
  /** [hash hi, hash lo, count] per slot; count 0 marks an empty slot. */
  private slots = new Uint32Array(INITIAL_SLOTS * 3);
  private used = 0;

  /** Distinct contents counted. */
  get size(): number {
    return this.used;
  }

  /** Counts one more row with this content (40 hex digits) and returns its occurrence, from 1. */
  next(hash: string): number {
    const hi = Number.parseInt(hash.slice(0, 8), 16) >>> 0;
    const lo = Number.parseInt(hash.slice(8, 16), 16) >>> 0;
    let s = this.find(hi, lo);
    const slots = this.slots;
    if (slots[s + 2] !== 0) return ++slots[s + 2]!;
    if ((this.used + 1) * 2 > slots.length / 3) {
      this.grow();
      s = this.find(hi, lo);
    }
    this.slots[s] = hi;
    this.slots[s + 1] = lo;
    this.slots[s + 2] = 1;
    this.used++;
    return 1;
  }

  /** The offset of the key's slot, or of the empty slot where it goes (linear probing). */
  private find(hi: number, lo: number): number {
    const slots = this.slots;
    const mask = slots.length / 3 - 1;
    let slot = (Math.imul(hi ^ lo, 0x9e3779b1) >>> 7) & mask;
    for (;;) {
      const s = slot * 3;
      if (slots[s + 2] === 0 || (slots[s] === hi && slots[s + 1] === lo)) return s;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let s = 0; s < old.length; s += 3) {
      if (old[s + 2] === 0) continue;
      const at = this.find(old[s]!, old[s + 1]!);
      this.slots[at] = old[s]!;
      this.slots[at + 1] = old[s + 1]!;
      this.slots[at + 2] = old[s + 2]!;
    }
  }
}
