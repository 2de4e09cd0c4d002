import { ledgerError } from './errors.js';
import { ABSENT, FingerprintTable } from './table.js';
import type { LedgerKind } from './target.js';

/** Journal op codes. */
export const OP_RECORD = 1;
export const OP_EVENT_PENDING = 2;
export const OP_EVENT_CONFIRMED = 3;
export const OP_EVENT_RELEASED = 4;

/**
 * An event's entry keeps in `b` its state (low 2 bits) and the UTC day its run recorded it
 * (the rest): `state | day << 2`. Entries written before day stamps existed (snapshot format 1,
 * journal ops with w3 = 0) carry day 0, LEGACY_DAY: an open stamps them with its own day.
 */
export const PENDING = 1;
export const CONFIRMED = 2;
export const LEGACY_DAY = 0;
/** The largest day a stamp holds (day << 2 stays within 32 bits); Date's range ends far before it. */
export const MAX_DAY = 2 ** 30 - 1;
export const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_DAYS = 30;

/** What eventValue returns for a release: the op removes the entry. */
export const REMOVED = -1;

/**
 * The `b` an event op gives its entry (its state stamped with the op's day `w3`), REMOVED for a
 * release; LEDGER_CORRUPT when the op does not belong in a `kind` ledger (a record op is
 * handled before: its `b` is w3 itself).
 */
export function eventValue(kind: LedgerKind, op: number, w3: number): number {
  if (kind !== 'events' || op < OP_EVENT_PENDING || op > OP_EVENT_RELEASED || w3 > MAX_DAY) {
    throw ledgerError(
      'LEDGER_CORRUPT',
      `ledger journal: op ${op} (day ${w3}) does not belong in a ${kind} ledger`,
    );
  }
  return op === OP_EVENT_RELEASED ? REMOVED : stamp(op === OP_EVENT_PENDING ? PENDING : CONFIRMED, w3);
}

/** An event entry's state (PENDING or CONFIRMED) from its `b`. */
export const stateOf = (b: number): number => b & 3;
const stamp = (state: number, day: number): number => state + day * 4;

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
  /** Legacy events given this open's day by expireEvents: their stamp is not on disk yet. */
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
    const b = eventValue(this.kind, op, w3);
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
   * (a legacy entry never is: it takes this day). For the snapshot read, to leave such entries out.
   */
  readonly isExpired = (b: number): boolean => {
    const stampDay = b >>> 2;
    return stampDay !== LEGACY_DAY && this.day - stampDay >= this.retentionDays;
  };

  /**
   * Drops the events that expired by this open's day, stamps legacy ones with it, and recounts:
   * one pass over each shard, in place (a large ledger is neither copied nor scanned twice). Run
   * once snapshot and journal are loaded, and again before a compaction writes the snapshot.
   */
  expireEvents(): void {
    if (this.kind !== 'events') return;
    const { day, isExpired } = this;
    let pending = 0;
    let confirmed = 0;
    let restamped = 0;
    const dropped = this.table.rewriteValues((b) => {
      if (isExpired(b)) return ABSENT;
      let stampDay = b >>> 2;
      if (stampDay === LEGACY_DAY) {
        stampDay = day; // recorded before stamps: it lives one more window from now
        restamped++;
      }
      const state = stateOf(b);
      if (state === PENDING) pending++;
      else if (state === CONFIRMED) confirmed++;
      return stamp(state, stampDay);
    });
    this.pendingEvents = pending;
    this.confirmedEvents = confirmed;
    this.expiredEvents += dropped;
    this.restampedEvents += restamped;
  }
}

export { ABSENT };
