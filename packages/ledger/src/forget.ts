import type { Committer } from './committer.js';
import { fingerprintWords, type IdFingerprints } from './id-set.js';
import { type LedgerState, OP_RECORD_FORGOTTEN } from './state.js';
import { ABSENT, type FingerprintTable } from './table.js';

/**
 * What a records ledger does when a record leaves PX (a delete, a mirror): its entry goes, in
 * memory at once and on disk with the next group commit (OP_RECORD_FORGOTTEN), so a later
 * `--changed-only` load sends the id again instead of skipping it as unchanged. False, writing
 * nothing, when the ledger did not hold it.
 */
export function forgetKey(state: LedgerState, committer: Committer, hi: number, lo: number): boolean {
  if (state.table.remove(hi, lo, 0) === ABSENT) return false;
  committer.add(OP_RECORD_FORGOTTEN, hi, lo, 0, 0);
  return true;
}

/** `forgetKey` by an id's fingerprint (`idFingerprint`, or one `missingFingerprints` gave). */
export function forgetFingerprint(state: LedgerState, committer: Committer, fingerprint: number): boolean {
  const { hi, lo } = fingerprintWords(fingerprint);
  return forgetKey(state, committer, hi, lo);
}

/** The entries of a records ledger that an input lacks. */
export interface MissingIds {
  /** How many the ledger holds that the input lacks. */
  count: number;
  /** Their fingerprints (`idFingerprint`), the first `keep` of them in the ledger's order. */
  fingerprints: Float64Array;
}

/**
 * The ledger's ids that `present` (the input's, sealed) lacks, by fingerprint: one pass over
 * every shard's sorted entries (merged first), a binary search in `present` each. No id is
 * needed: the ledger keeps none, only fingerprints, and so does `present`. Counts them all;
 * keeps the first `keep` (a cap refuses the rest anyway).
 */
export function missingFingerprints(
  table: FingerprintTable,
  present: IdFingerprints,
  keep: number,
): MissingIds {
  table.mergeAll();
  const kept: number[] = [];
  let count = 0;
  for (let k = 0; k < table.shards.length; k++) {
    const { words, column } = table.shards[k]!.view();
    for (let e = 0; e < column.length; e++) {
      const t = words[e * 3]!;
      // The entry's key back in id-hash words (see FingerprintTable): shard k and t's 24 high
      // bits are hi; t's low byte and x are lo's 16 high bits.
      const hi = ((k << 24) | (t >>> 8)) >>> 0;
      const fingerprint = hi * 65536 + (((t & 0xff) << 8) | column[e]!);
      if (present.hasFingerprint(fingerprint)) continue;
      count++;
      if (kept.length < keep) kept.push(fingerprint);
    }
  }
  return { count, fingerprints: Float64Array.from(kept) };
}
