import { hashIdInto, idKey } from './hash.js';

/**
 * An id's fingerprint as a records ledger keys it: the 32 high bits of its 64-bit hash and the
 * 16 high bits of the low half (see FingerprintTable: shard, t and x), as one exact double
 * (48 bits < 2^53). Two ids with one fingerprint are one entry to the ledger; among 10M ids a
 * given other id shares one with probability 10^7 / 2^48, 1 in 28 million.
 */
export function idFingerprint(id: string): number {
  hashIdInto(id);
  return idKey.hi * 65536 + (idKey.lo >>> 16);
}

/** The (hi, lo) words a table call takes for a fingerprint (lo's 16 low bits are never read). */
export function fingerprintWords(fingerprint: number): { hi: number; lo: number } {
  const hi = Math.floor(fingerprint / 65536) >>> 0;
  return { hi, lo: ((fingerprint % 65536) << 16) >>> 0 };
}

/** First room, in fingerprints (8 KB). */
const FIRST_ROOM = 1024;

/**
 * The ids of an input, as ledger fingerprints (see `idFingerprint`): 8 bytes an id, whatever its
 * length (a Set of the ids themselves costs 50 to 100 bytes an id in V8), up to 12 while the
 * array grows by half. Add them all, `seal()` (a native sort, then repeats dropped), then ask.
 * What a delete counts its distinct ids with, and what a mirror tells the ledger's ids the file
 * lacks by (`Ledger.missingFrom`).
 */
export class IdFingerprints {
  private values = new Float64Array(FIRST_ROOM);
  private count = 0;
  private sealed = false;
  /** Ids added, repeats included. */
  added = 0;

  add(id: string): void {
    this.addFingerprint(idFingerprint(id));
  }

  addFingerprint(fingerprint: number): void {
    if (this.sealed) throw new Error('IdFingerprints: add after seal'); // a bug, not a file's fault
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.count + (this.count >>> 1));
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = fingerprint;
    this.added++;
  }

  /** Sorts and drops repeats; the set is then read-only. Idempotent. */
  seal(): this {
    if (this.sealed) return this;
    this.sealed = true;
    const values = this.values.subarray(0, this.count).sort();
    let out = 0;
    for (let i = 0; i < values.length; i++) {
      if (out === 0 || values[i] !== values[out - 1]) values[out++] = values[i]!;
    }
    this.count = out;
    this.values = this.values.slice(0, out); // the room given back
    return this;
  }

  /** Distinct ids (after `seal`; before it, ids added). */
  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.hasFingerprint(idFingerprint(id));
  }

  /** Binary search: sealed sets only. */
  hasFingerprint(fingerprint: number): boolean {
    if (!this.sealed) throw new Error('IdFingerprints: has before seal');
    const values = this.values;
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const value = values[mid]!;
      if (value === fingerprint) return true;
      if (value < fingerprint) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }
}
