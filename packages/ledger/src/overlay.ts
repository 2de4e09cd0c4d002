/**
 * A shard's recent changes: open addressing with linear probing, 4 words a slot
 * [t, flags | x, a, b], at most half full. A removed key stays as a DELETED slot (it hides the
 * base entry until the next merge).
 */
export const OCCUPIED = 0x100;
export const DELETED = 0x200;
const MIN_SLOTS = 16;
/** Slots an overlay may have for sortedOffsets' packing (t * SLOT_SPAN + slot < 2^53 exactly). */
const SLOT_SPAN = 2 ** 21;

export class Overlay {
  slots: Uint32Array = new Uint32Array(MIN_SLOTS * 4);
  /** Occupied slots. */
  used = 0;

  /** Records match on (t, x); events on (t, x, a). */
  constructor(private readonly matchA: boolean) {}

  /** The offset (slot * 4) of the key's slot, or of the empty slot where it would go. */
  find(t: number, x: number, a: number): number {
    const slots = this.slots;
    const mask = slots.length - 4;
    // Records' `a` is part of their value: it must not move the slot.
    let s = (Math.imul(this.matchA ? t ^ a : t, 0x9e3779b1) >>> 5) & mask;
    for (;;) {
      const flags = slots[s + 1]!;
      if (flags === 0) return s;
      if (slots[s] === t && (flags & 0xff) === x && (!this.matchA || slots[s + 2] === a)) return s;
      s = (s + 4) & mask;
    }
  }

  write(t: number, x: number, a: number, b: number, flags: number): void {
    let s = this.find(t, x, a);
    if (this.slots[s + 1] === 0) {
      if ((this.used + 1) * 8 > this.slots.length) {
        this.grow();
        s = this.find(t, x, a);
      }
      this.used++;
    }
    this.slots[s] = t;
    this.slots[s + 1] = flags | x;
    this.slots[s + 2] = a;
    this.slots[s + 3] = b;
  }

  /** Offsets of the occupied slots, sorted by t (a numeric sort of t * 2^24 + slot). */
  sortedOffsets(): number[] {
    const keys = new Float64Array(this.used);
    let n = 0;
    for (let s = 0; s < this.slots.length; s += 4)
      if (this.slots[s + 1] !== 0) keys[n++] = this.slots[s]! * SLOT_SPAN + s / 4;
    keys.sort();
    return Array.from(keys, (key) => (key % SLOT_SPAN) * 4);
  }

  /** Empties the overlay, keeping its size (a merge would otherwise leave garbage arrays). */
  clear(): void {
    if (this.used > 0) this.slots.fill(0);
    this.used = 0;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let s = 0; s < old.length; s += 4) {
      if (old[s + 1] !== 0)
        this.slots.set(old.subarray(s, s + 4), this.find(old[s]!, old[s + 1]! & 0xff, old[s + 2]!));
    }
  }
}
