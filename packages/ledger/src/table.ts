import { ABSENT, Shard } from './shard.js';

export { ABSENT, found } from './shard.js';

/** Scratch arrays of a batched lookup (`hasValues`), reused from batch to batch. */
export class KeyBatch {
  readonly his: Uint32Array;
  readonly los: Uint32Array;
  readonly as: Uint32Array;
  readonly bs: Uint32Array;
  readonly guesses: Uint32Array;
  sink = 0;

  constructor(readonly size: number) {
    [this.his, this.los, this.as, this.bs, this.guesses] = Array.from(
      { length: 5 },
      () => new Uint32Array(size),
    );
  }
}

const tag = (hi: number, lo: number) => ((hi << 8) | (lo >>> 24)) >>> 0;

/** Shards by the top 8 bits of a key: each is merged on its own (see shard.ts). */
export const SHARD_COUNT = 256;

/**
 * The whole in-memory map, keyed by a 64-bit (hi, lo) hash plus, for events, a third word `a`.
 * The shard is hi's top 8 bits; the fingerprint kept is t = hi's other 24 bits and lo's top 8,
 * and, for records, x = lo's next 8 bits: 48 bits of the key. Events keep t and `a` with no x
 * (x is 0 for them): 72 bits of their hash, in 8 bytes an entry beside their 16-bit value (see
 * event-base.ts). Records keep the value in (a, b), events their state and day in b.
 */
export class FingerprintTable {
  readonly shards: readonly Shard[];
  /** Number of keys held. */
  size = 0;

  /** Lo's 8 bits of x: records keep them; events, keyed by `a` too, do not (always 0). */
  private readonly xMask: number;

  constructor(readonly matchA: boolean) {
    this.shards = Array.from({ length: SHARD_COUNT }, () => new Shard(matchA));
    this.xMask = matchA ? 0 : 0xff;
  }

  get(hi: number, lo: number, a: number): boolean {
    return this.shards[hi >>> 24]!.get(((hi << 8) | (lo >>> 24)) >>> 0, (lo >>> 16) & this.xMask, a);
  }

  /** True when the key (of a table that does not match on `a`) has the value (a, b). */
  hasValue(hi: number, lo: number, a: number, b: number): boolean {
    return this.shards[hi >>> 24]!.hasValue(((hi << 8) | (lo >>> 24)) >>> 0, (lo >>> 16) & 0xff, a, b);
  }

  /**
   * hasValue for `n` keys at once, into out[offset + j] (1 or 0). Memory, not arithmetic, bounds
   * a lookup in a large table; here every key's place is first found in the (cached) directory,
   * then every such entry read in one tight loop (loads the CPU overlaps), and the searches run
   * on warm caches.
   */
  hasValues(batch: KeyBatch, n: number, out: Uint8Array, offset: number): void {
    const { his, los, as, bs, guesses } = batch;
    let sink = 0;
    for (let j = 0; j < n; j++) guesses[j] = this.shards[his[j]! >>> 24]!.guess(tag(his[j]!, los[j]!));
    for (let j = 0; j < n; j++) sink ^= this.shards[his[j]! >>> 24]!.peek(guesses[j]!);
    for (let j = 0; j < n; j++) out[offset + j] = this.hasValue(his[j]!, los[j]!, as[j]!, bs[j]!) ? 1 : 0;
    batch.sink = sink; // keeps the touching loop from being optimised away
  }

  /** Sets the value; returns the previous `b`, or ABSENT. */
  put(hi: number, lo: number, a: number, b: number): number {
    const previous = this.shards[hi >>> 24]!.put(
      ((hi << 8) | (lo >>> 24)) >>> 0,
      (lo >>> 16) & this.xMask,
      a,
      b,
    );
    if (previous === ABSENT) this.size++;
    return previous;
  }

  /** Sets the value of a key the caller just looked up with `get` (`isNew`: get found nothing). */
  set(hi: number, lo: number, a: number, b: number, isNew: boolean): void {
    this.shards[hi >>> 24]!.set(((hi << 8) | (lo >>> 24)) >>> 0, (lo >>> 16) & this.xMask, a, b);
    if (isNew) this.size++;
  }

  /** Removes the key; returns its previous `b`, or ABSENT. */
  remove(hi: number, lo: number, a: number): number {
    const previous = this.shards[hi >>> 24]!.remove(
      ((hi << 8) | (lo >>> 24)) >>> 0,
      (lo >>> 16) & this.xMask,
      a,
    );
    if (previous !== ABSENT) this.size--;
    return previous;
  }

  /**
   * Rewrites every entry's `b` through `next`, shard by shard (each merged first); an entry it
   * maps to ABSENT is dropped. Returns how many were dropped.
   */
  rewriteValues(next: (b: number) => number): number {
    let dropped = 0;
    for (const shard of this.shards) dropped += shard.rewriteValues(next);
    this.size -= dropped;
    return dropped;
  }

  mergeAll(): void {
    for (const shard of this.shards) shard.merge();
  }
}
