import { ledgerError } from './errors.js';
import { ABSENT, FingerprintTable } from './table.js';
import type { LedgerKind } from './target.js';

/** Journal op codes. */
export const OP_RECORD = 1;
export const OP_EVENT_PENDING = 2;
export const OP_EVENT_CONFIRMED = 3;
export const OP_EVENT_RELEASED = 4;

/** An event's state, as kept in its entry's `b`. */
export const PENDING = 1;
export const CONFIRMED = 2;

/** Snapshot kind codes. */
export const KIND_CODE: Record<LedgerKind, number> = { records: 1, events: 2 };

/**
 * The ledger's content in memory: the table plus the event counters, changed only through
 * `apply`, which both the live calls and the journal replay use, so both give the same state.
 *
 * A record op is (id hash hi, id hash lo, body hash hi ^ id hash hi, body hash lo ^ id hash lo):
 * mixing the id hash into the value means two ids that share a table fingerprint never compare
 * equal by accident, even with identical bodies. An event op is the first 96 bits of its hash.
 */
export class LedgerState {
  readonly table: FingerprintTable;
  pendingEvents = 0;
  confirmedEvents = 0;

  constructor(readonly kind: LedgerKind) {
    this.table = new FingerprintTable(kind === 'events');
  }

  apply(op: number, w0: number, w1: number, w2: number, w3: number): void {
    if (op === OP_RECORD && this.kind === 'records') {
      this.table.put(w0, w1, w2, w3);
      return;
    }
    if (this.kind !== 'events' || op < OP_EVENT_PENDING || op > OP_EVENT_RELEASED) {
      throw ledgerError(
        'LEDGER_CORRUPT',
        `ledger journal: op ${op} does not belong in a ${this.kind} ledger`,
      );
    }
    const previous =
      op === OP_EVENT_RELEASED
        ? this.table.remove(w0, w1, w2)
        : this.table.put(w0, w1, w2, op === OP_EVENT_PENDING ? PENDING : CONFIRMED);
    if (previous === PENDING) this.pendingEvents--;
    else if (previous === CONFIRMED) this.confirmedEvents--;
    if (op === OP_EVENT_PENDING) this.pendingEvents++;
    else if (op === OP_EVENT_CONFIRMED) this.confirmedEvents++;
  }

  /** Rebuilds the event counters after a snapshot was loaded (the snapshot holds only entries). */
  countEvents(): void {
    if (this.kind !== 'events') return;
    this.pendingEvents = 0;
    this.confirmedEvents = 0;
    for (const shard of this.table.shards) {
      const { words } = shard.view();
      for (let w = 2; w < words.length; w += 3) {
        if (words[w] === PENDING) this.pendingEvents++;
        else if (words[w] === CONFIRMED) this.confirmedEvents++;
      }
    }
  }
}

export { ABSENT };
