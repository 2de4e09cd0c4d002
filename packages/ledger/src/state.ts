import { ledgerError } from './errors.js';
import { ABSENT, FingerprintTable } from './table.js';
import type { LedgerKind } from './target.js';

/** Journal op codes. */
export const OP_RECORD = 1;
export const OP_EVENT_PENDING = 2;
export const OP_EVENT_CONFIRMED = 3;
export const OP_EVENT_RELEASED = 4;
/**
 * A records ledger forgets an id (deleted from PX: see forget.ts): (id hash hi, id hash lo, 0,
 * 0). A reader older than this op refuses the journal (LEDGER_CORRUPT) rather than misread it.
 */
export const OP_RECORD_FORGOTTEN = 5;

/**
 * An event's entry keeps in `b` (16 bits) its state (low 2 bits) and the UTC day its run
 * recorded it, modulo 2^14 (the rest): `state | (day % 16384) << 2`. Ages are computed modulo
 * 2^14 too, which tells them apart for 44 years; an age of AMBIGUOUS_AGE or more is read as a
 * stamp from the future (a clock set back), kept, as a negative age always was. So a window
 * of up to MAX_RETENTION_DAYS is exact as long as a writable open (which drops what expired)
 * comes at least once every AMBIGUOUS_AGE - retentionDays days: 11 years at the longest
 * window, 22 at the default.
 *
 * Entries written before day stamps (snapshot format 1, journal ops with w3 = 0) take the day of
 * the open that reads them, as they are read.
 */
export const PENDING = 1;
export const CONFIRMED = 2;
export const LEGACY_DAY = 0;
/** The largest day an open may have (journal ops carry the whole day, 32 bits); Date's range ends far before it. */
export const MAX_DAY = 2 ** 30 - 1;
export const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_DAYS = 30;
/** Bits of the day an entry keeps: with the 2 of its state, a 16-bit value (10 bytes an entry, not 12). */
const DAY_BITS = 14;
const DAY_MASK = 2 ** DAY_BITS - 1;
/** Ages (modulo 2^14) from here on are stamps of a later day than the open's. */
const AMBIGUOUS_AGE = 2 ** (DAY_BITS - 1);
/** The longest window: half the ages told apart (8192 days), so that a window never borders them. */
export const MAX_RETENTION_DAYS = AMBIGUOUS_AGE / 2;

/** What eventValue returns for a release: the op removes the entry. */
export const REMOVED = -1;

/**
 * The `b` an event op gives its entry (its state stamped with the op's day `w3`, or with
 * `legacyDay` for an op written before day stamps: w3 = 0), REMOVED for a release;
 * LEDGER_CORRUPT when the op does not belong in a `kind` ledger (a record op is handled before:
 * its `b` is w3 itself).
 */
export function eventValue(kind: LedgerKind, op: number, w3: number, legacyDay: number): number {
  if (kind !== 'events' || op < OP_EVENT_PENDING || op > OP_EVENT_RELEASED || w3 > MAX_DAY) {
    throw ledgerError(
      'LEDGER_CORRUPT',
      `ledger journal: op ${op} (day ${w3}) does not belong in a ${kind} ledger`,
    );
  }
  if (op === OP_EVENT_RELEASED) return REMOVED;
  return stamp(op === OP_EVENT_PENDING ? PENDING : CONFIRMED, w3 === LEGACY_DAY ? legacyDay : w3);
}

/** An event entry's state (PENDING or CONFIRMED) from its `b`. */
export const stateOf = (b: number): number => b & 3;
/** An event entry's `b`: its state and day (modulo 2^14). */
export const stamp = (state: number, day: number): number => state | ((day & DAY_MASK) << 2);

/** Snapshot kind codes. */
export const KIND_CODE: Record<LedgerKind, number> = { records: 1, events: 2 };

/**
 * The ledger's content in memory: the table plus the event counters, changed only through
 * `apply`, which both the live calls and the journal replay use, so both give the same state.
 *
 * A record op is (id hash hi, id hash lo, body hash hi ^ id hash hi, body hash lo ^ id hash lo):
 * mixing the id hash into the value means two ids that share a table fingerprint never compare
 * equal by accident, even with identical bodies. An event op is the first 96 bits of its hash
 * and, in w3, the day of the run that made it (0 in journals written before day stamps).
 *
 * `day` is the UTC day of this open's clock: it stamps the events of this open and decides which
 * have expired (stamped `retentionDays` days or more before it).
 */
export class LedgerState {
  readonly table: FingerprintTable;
  pendingEvents = 0;
  confirmedEvents = 0;
  /** Events this open dropped as expired (as the snapshot was read, after the replay, or by a compaction). */
  expiredEvents = 0;
  /** Legacy events given this open's day as they were read: their stamp is not on disk yet. */
  restampedEvents = 0;

  constructor(
    readonly kind: LedgerKind,
    readonly day = 1,
    readonly retentionDays = DEFAULT_RETENTION_DAYS,
  ) {
    this.table = new FingerprintTable(kind === 'events');
  }

  apply(op: number, w0: number, w1: number, w2: number, w3: number): void {
    if (op === OP_RECORD && this.kind === 'records') {
      this.table.put(w0, w1, w2, w3);
      return;
    }
    if (op === OP_RECORD_FORGOTTEN && this.kind === 'records') {
      this.table.remove(w0, w1, 0);
      return;
    }
    const b = eventValue(this.kind, op, w3, this.day);
    const previous = b === REMOVED ? this.table.remove(w0, w1, w2) : this.table.put(w0, w1, w2, b);
    if (previous !== ABSENT) {
      if (stateOf(previous) === PENDING) this.pendingEvents--;
      else if (stateOf(previous) === CONFIRMED) this.confirmedEvents--;
    }
    if (op === OP_EVENT_PENDING) this.pendingEvents++;
    else if (op === OP_EVENT_CONFIRMED) this.confirmedEvents++;
  }

  /**
   * True when an event entry's `b` is stamped `retentionDays` or more before this open's day
   * (ages modulo 2^14, a stamp of a later day never: see AMBIGUOUS_AGE). For the snapshot read,
   * to leave such entries out.
   */
  readonly isExpired = (b: number): boolean => {
    const age = (this.day - (b >>> 2)) & DAY_MASK;
    return age >= this.retentionDays && age < AMBIGUOUS_AGE;
  };

  /**
   * An entry of a format-1 or format-2 snapshot (a 32-bit `b`: state | day << 2, day 0 before
   * day stamps) as this format keeps it; a legacy one takes this open's day (counted in
   * restampedEvents).
   */
  readonly fromFormat2 = (b: number): number => {
    const day = b >>> 2;
    if (day !== LEGACY_DAY) return stamp(stateOf(b), day);
    this.restampedEvents++;
    return stamp(stateOf(b), this.day);
  };

  /**
   * Drops the events that expired by this open's day and recounts: one pass over each shard, in
   * place (a large ledger is neither copied nor scanned twice). Run once snapshot and journal
   * are loaded, and again before a compaction writes the snapshot.
   */
  expireEvents(): void {
    if (this.kind !== 'events') return;
    const { isExpired } = this;
    let pending = 0;
    let confirmed = 0;
    const dropped = this.table.rewriteValues((b) => {
      if (isExpired(b)) return ABSENT;
      const state = stateOf(b);
      if (state === PENDING) pending++;
      else if (state === CONFIRMED) confirmed++;
      return b;
    });
    this.pendingEvents = pending;
    this.confirmedEvents = confirmed;
    this.expiredEvents += dropped;
  }
}

export { ABSENT };
