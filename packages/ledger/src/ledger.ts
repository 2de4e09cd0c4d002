import type { Committer } from './committer.js';
import { asLedgerError, ledgerError } from './errors.js';
import { forgetFingerprint, forgetKey, type MissingIds, missingFingerprints } from './forget.js';
import { hashIdInto, hexWord, idKey, wordHex } from './hash.js';
import type { IdFingerprints } from './id-set.js';
import {
  CONFIRMED,
  type LedgerState,
  OP_EVENT_CONFIRMED,
  OP_EVENT_PENDING,
  OP_EVENT_RELEASED,
  OP_RECORD,
  PENDING,
  stateOf,
} from './state.js';
import { found, KeyBatch } from './table.js';
import type { LedgerKind, LedgerTarget } from './target.js';

export type EventState = 'pending' | 'confirmed';

export interface LedgerCounts {
  /** Ids with a confirmed body hash (records ledgers). */
  records: number;
  /** Events marked pending and neither confirmed nor released: in flight, or in doubt after a crash. */
  pendingEvents: number;
  confirmedEvents: number;
  /**
   * Events this open dropped because their day stamp fell out of the retention window (at open,
   * or by a compaction): a file rerun now would send them again.
   */
  expiredEvents: number;
  /** Changes made but not yet on disk: what a crash now would lose. */
  uncommitted: number;
}

/** What `openLedger` wires in: the storage behind a Ledger. */
export interface LedgerStorage {
  state: LedgerState;
  /** Undefined when read-only. */
  committer: Committer | undefined;
  compact: () => Promise<void>;
  release: () => Promise<void>;
}

/**
 * A ledger, open. Lookups are synchronous and in memory (no await on the hot path); changes are
 * applied to memory at once, so a lookup right after `confirm` sees the new hash, and reach the
 * disk by group commit (`flush` waits for them). See README for the crash bound.
 */
/** Rows per pass of unchangedMany. */
const BATCH = 256;

export class Ledger {
  private closed = false;
  private batch: KeyBatch | undefined;

  constructor(
    readonly dir: string,
    readonly target: LedgerTarget,
    readonly kind: LedgerKind,
    /** False for a read-only open of a ledger that does not exist yet (it stays empty). */
    readonly exists: boolean,
    private readonly storage: LedgerStorage,
  ) {}

  get readOnly(): boolean {
    return this.storage.committer === undefined;
  }

  /** True when `id`'s last confirmed body hash equals `hash` (from hashBody): the row can be skipped. */
  hasUnchanged(id: string, hash: string): boolean {
    this.check('records', false);
    const bodyHi = hexWord(hash, 0);
    const bodyLo = hexWord(hash, 1);
    hashIdInto(id);
    return this.storage.state.table.hasValue(
      idKey.hi,
      idKey.lo,
      (bodyHi ^ idKey.hi) >>> 0,
      (bodyLo ^ idKey.lo) >>> 0,
    );
  }

  /**
   * hasUnchanged for many rows at once: out[j] is 1 when ids[j]'s confirmed hash is hashes[j].
   * Same answers, faster on a large ledger (the memory accesses of a batch overlap): for a
   * stage that sees rows in chunks. Synchronous: the ledger is in memory.
   */
  unchangedMany(
    ids: readonly string[],
    hashes: readonly string[],
    out = new Uint8Array(ids.length),
  ): Uint8Array {
    this.check('records', false);
    const batch = (this.batch ??= new KeyBatch(BATCH));
    const table = this.storage.state.table;
    for (let from = 0; from < ids.length; from += BATCH) {
      const n = Math.min(BATCH, ids.length - from);
      for (let j = 0; j < n; j++) {
        const hash = hashes[from + j]!;
        const bodyHi = hexWord(hash, 0);
        const bodyLo = hexWord(hash, 1);
        hashIdInto(ids[from + j]!);
        batch.his[j] = idKey.hi;
        batch.los[j] = idKey.lo;
        batch.as[j] = (bodyHi ^ idKey.hi) >>> 0;
        batch.bs[j] = (bodyLo ^ idKey.lo) >>> 0;
      }
      table.hasValues(batch, n, out, from);
    }
    return out;
  }

  /** The first 16 hex digits (64 bits) of `id`'s last confirmed body hash, or undefined. */
  lookup(id: string): string | undefined {
    this.check('records', false);
    hashIdInto(id);
    if (!this.storage.state.table.get(idKey.hi, idKey.lo, 0)) return undefined;
    return wordHex((found.a ^ idKey.hi) >>> 0) + wordHex((found.b ^ idKey.lo) >>> 0);
  }

  /** Records that PX confirmed `id` with this body. Call only after PX confirmed the write. */
  confirm(id: string, hash: string): void {
    this.check('records', true);
    const bodyHi = hexWord(hash, 0);
    const bodyLo = hexWord(hash, 1);
    hashIdInto(id);
    const a = (bodyHi ^ idKey.hi) >>> 0;
    const b = (bodyLo ^ idKey.lo) >>> 0;
    const table = this.storage.state.table;
    const known = table.get(idKey.hi, idKey.lo, 0);
    if (known && found.a === a && found.b === b) return; // nothing new: nothing to write
    table.set(idKey.hi, idKey.lo, a, b, !known); // what apply(OP_RECORD) does, without its lookup
    this.storage.committer!.add(OP_RECORD, idKey.hi, idKey.lo, a, b);
  }

  /**
   * PX no longer has `id` (deleted): its entry goes (see forget.ts), so a later `--changed-only`
   * load sends it again. False when the ledger did not hold it.
   */
  forget(id: string): boolean {
    this.check('records', true);
    hashIdInto(id);
    return forgetKey(this.storage.state, this.storage.committer!, idKey.hi, idKey.lo);
  }

  /** `forget` by fingerprint (`idFingerprint`, or from `missingFrom`): an entry whose id is not known. */
  forgetFingerprint(fingerprint: number): boolean {
    this.check('records', true);
    return forgetFingerprint(this.storage.state, this.storage.committer!, fingerprint);
  }

  /**
   * The ids this ledger holds that `present` (an input's ids, sealed) lacks, as fingerprints:
   * how many, and the first `keep` of them (see `missingFingerprints`).
   */
  missingFrom(present: IdFingerprints, keep = Number.POSITIVE_INFINITY): MissingIds {
    this.check('records', false);
    return missingFingerprints(this.storage.state.table, present, keep);
  }

  /** An event's state by the hash of its body, or undefined when the ledger has never seen it. */
  eventState(hash: string): EventState | undefined {
    this.check('events', false);
    if (!this.storage.state.table.get(hexWord(hash, 0), hexWord(hash, 1), hexWord(hash, 2))) return undefined;
    return stateOf(found.b) === PENDING ? 'pending' : 'confirmed';
  }

  /**
   * Marks an event pending before its request goes out; resolves true once the mark is on disk
   * (fsync'd with the default durability). Resolves false, marking nothing, when the event is
   * already pending or confirmed: it must not be sent (again). The mark carries this open's day.
   */
  markPending(hash: string): Promise<boolean> {
    this.check('events', true);
    const [e0, e1, e2] = [hexWord(hash, 0), hexWord(hash, 1), hexWord(hash, 2)];
    const { state, committer } = this.storage;
    if (state.table.get(e0, e1, e2)) return Promise.resolve(false);
    state.apply(OP_EVENT_PENDING, e0, e1, e2, state.day);
    return committer!.addAndWait(OP_EVENT_PENDING, e0, e1, e2, state.day).then(() => true);
  }

  /**
   * PX recorded the event (201): it is not to be sent again within the retention window, which
   * starts on this open's day (also for an event marked pending on an earlier day).
   */
  confirmEvent(hash: string): void {
    this.check('events', true);
    const [e0, e1, e2] = [hexWord(hash, 0), hexWord(hash, 1), hexWord(hash, 2)];
    const { state, committer } = this.storage;
    if (state.table.get(e0, e1, e2) && stateOf(found.b) === CONFIRMED) return;
    state.apply(OP_EVENT_CONFIRMED, e0, e1, e2, state.day);
    committer!.add(OP_EVENT_CONFIRMED, e0, e1, e2, state.day);
  }

  /**
   * PX definitely did not record the event (401/403/429, quota, or never sent): drops its
   * pending mark so a later run sends it. Returns false, changing nothing, unless it was pending.
   */
  releaseEvent(hash: string): boolean {
    this.check('events', true);
    const [e0, e1, e2] = [hexWord(hash, 0), hexWord(hash, 1), hexWord(hash, 2)];
    const { state, committer } = this.storage;
    if (!state.table.get(e0, e1, e2) || stateOf(found.b) !== PENDING) return false;
    state.apply(OP_EVENT_RELEASED, e0, e1, e2, state.day);
    committer!.add(OP_EVENT_RELEASED, e0, e1, e2, state.day);
    return true;
  }

  counts(): LedgerCounts {
    const { state, committer } = this.storage;
    return {
      records: state.kind === 'records' ? state.table.size : 0,
      pendingEvents: state.pendingEvents,
      confirmedEvents: state.confirmedEvents,
      expiredEvents: state.expiredEvents,
      uncommitted: committer?.uncommitted ?? 0,
    };
  }

  /** Resolves when every change made so far is committed. */
  async flush(): Promise<void> {
    if (this.closed) throw ledgerError('LEDGER_CLOSED', `ledger ${this.dir} is closed`);
    await this.storage.committer?.flush();
  }

  /**
   * Rewrites the snapshot with everything not expired by this open's clock and starts an empty
   * journal (close does it when worth it).
   */
  async compact(): Promise<void> {
    this.check(this.kind, true);
    await this.storage.compact().catch((error: unknown) => {
      throw asLedgerError(error, `compact ${this.dir}`);
    });
  }

  /**
   * Commits, compacts when the journal has grown or when this open expired or restamped events
   * (so the disk forgets them too), releases the lock. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.storage.release().catch((error: unknown) => {
      throw asLedgerError(error, `close ${this.dir}`);
    });
  }

  private check(kind: LedgerKind, write: boolean): void {
    if (this.closed) throw ledgerError('LEDGER_CLOSED', `ledger ${this.dir} is closed`);
    if (kind !== this.kind) {
      throw ledgerError('LEDGER_WRONG_KIND', `ledger ${this.dir} holds ${this.kind}, not ${kind}`);
    }
    if (write && this.storage.committer === undefined) {
      throw ledgerError('LEDGER_READ_ONLY', `ledger ${this.dir} is open read-only`);
    }
  }
}
