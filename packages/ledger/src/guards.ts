import {
  EVENT_MAYBE_RECORDED,
  type EventIdentity,
  type GuardVerdict,
  PxStreamError,
  type RowEnvelope,
  type SendGuard,
} from '@pxstream/core';
import { hashBody } from './hash.js';
import type { Ledger } from './ledger.js';

/**
 * The ledger's guards: what a PX sink asks before and after each row it sends (core's
 * `SendGuard`). A records load skips what PX holds already and records what PX confirms; an
 * events load marks each event before it goes out and never sends one PX recorded.
 */

/** What the ledger did in one load, for the report. */
export interface LedgerFigures {
  /** The ledger's directory. */
  path: string;
  /** Rows skipped because PX holds their body already (`--changed-only`). */
  unchanged: number;
  /** Events skipped because PX recorded them in an earlier run (by content or position). */
  alreadySent: number;
  /** Events skipped because an event of their key was recorded (this run or an earlier one). */
  alreadyByKey: number;
  /** Event identities past the retention window, forgotten when the ledger was opened. */
  expired: number;
  /** Events an earlier run sent without an answer: rejected as maybe recorded, not sent. */
  inDoubt: number;
  /** Confirmations written this run. */
  confirmed: number;
}

export function newLedgerFigures(ledger: Ledger): LedgerFigures {
  return {
    path: ledger.dir,
    unchanged: 0,
    alreadySent: 0,
    alreadyByKey: 0,
    inDoubt: 0,
    confirmed: 0,
    expired: ledger.counts().expiredEvents,
  };
}

/**
 * The hash of what PX gets for a row, computed once per row and kept on it: the JSON text of
 * the mapped body, so a changed mapping or changed attribute types count as a change.
 */
export function bodyHashOf(row: RowEnvelope): string {
  row.bodyHash ??= hashBody(JSON.stringify(row.body));
  return row.bodyHash;
}

/** The guard of a records load: skip what PX holds (with `--changed-only`), record what it confirms. */
export function recordsGuard(ledger: Ledger, changedOnly: boolean, figures: LedgerFigures): SendGuard {
  const unchanged: GuardVerdict = { outcome: 'skipped', reason: 'unchanged' };
  const check = (row: RowEnvelope): GuardVerdict | undefined => {
    if (!changedOnly || row.key === undefined) return undefined;
    if (!ledger.hasUnchanged(row.key, bodyHashOf(row))) return undefined;
    figures.unchanged++;
    return unchanged;
  };
  return {
    // On arrival when no earlier row of the id is pending, else once the earlier rows ended
    // (their confirmations may have changed the entry).
    skip: check,
    admit: check,
    settled(row, result) {
      // Only what PX confirmed (204, 201, or a read-back that held the row's values).
      if (row.key === undefined || (result.outcome !== 'updated' && result.outcome !== 'inserted')) return;
      ledger.confirm(row.key, bodyHashOf(row));
      figures.confirmed++;
    },
    abandoned() {},
  };
}

/** The skip reason of an event whose identity an earlier run recorded (content or position). */
export const RECORDED_EARLIER = 'already recorded by PX (an earlier run)';

/** The skip reason of an event whose key was recorded already. */
export function recordedKeyReason(eventKey: string | undefined): string {
  return `already recorded (key ${eventKey ?? '?'})`;
}

/**
 * The guard of an events load, by each row's identity (`EventIdentityStep`). Before an event
 * goes out it is marked pending, on disk; PX's 201 confirms it; an answer that records nothing
 * (a 4xx, a 429 or 503 until the attempts ran out) releases the mark. After a crash the events
 * still pending are exactly those that were on the wire: a later run rejects them as maybe
 * recorded and sends every other one once. A keyed event whose key is on the wire in this run
 * waits for that row's end (the rows of one user are in order already; one key on two users
 * is not): sent if it failed, skipped if PX recorded it.
 */
export function eventsGuard(ledger: Ledger, figures: LedgerFigures, eventKey: string | undefined): SendGuard {
  const earlier: GuardVerdict = { outcome: 'skipped', reason: RECORDED_EARLIER };
  const byKey: GuardVerdict = { outcome: 'skipped', reason: recordedKeyReason(eventKey) };
  const inDoubt: GuardVerdict = {
    outcome: 'rejected',
    code: EVENT_MAYBE_RECORDED,
    message:
      'an earlier run sent this event and stopped before PX answered: PX may have recorded it, so it ' +
      'was not sent again (check PX; a load without the ledger sends it anyway)',
  };
  /** Rows the sink gave up on while their mark was still being written. */
  const abandonedEarly = new WeakSet<RowEnvelope>();
  /** Identities marked by this run whose row has not ended, and how to wake who waits on them. */
  const onTheWire = new Map<string, { row: RowEnvelope; ended: Promise<void>; end: () => void }>();
  const claim = (row: RowEnvelope, hash: string) => {
    let end = () => {};
    const ended = new Promise<void>((resolve) => (end = resolve));
    onTheWire.set(hash, { row, ended, end });
  };
  const unclaim = (row: RowEnvelope, hash: string) => {
    const wire = onTheWire.get(hash);
    if (wire?.row !== row) return;
    onTheWire.delete(hash);
    wire.end();
  };
  const recorded = (identity: EventIdentity) => {
    if (identity.by === 'key') {
      figures.alreadyByKey++;
      return byKey;
    }
    figures.alreadySent++;
    return earlier;
  };
  return {
    async admit(row) {
      const identity = identityOf(row);
      for (let wire = onTheWire.get(identity.hash); wire; wire = onTheWire.get(identity.hash)) {
        await wire.ended;
      }
      const state = ledger.eventState(identity.hash);
      if (state === 'confirmed') return recorded(identity);
      if (state === 'pending') {
        figures.inDoubt++;
        return inDoubt;
      }
      claim(row, identity.hash);
      let marked: boolean;
      try {
        marked = await ledger.markPending(identity.hash);
      } catch (error) {
        unclaim(row, identity.hash);
        throw error;
      }
      if (!marked) {
        unclaim(row, identity.hash); // cannot be: this run claimed it first; never sent twice all the same
        return recorded(identity);
      }
      if (abandonedEarly.has(row)) {
        ledger.releaseEvent(identity.hash);
        unclaim(row, identity.hash);
      }
      return undefined;
    },
    settled(row, result) {
      const { hash } = identityOf(row);
      if (result.outcome === 'inserted') {
        ledger.confirmEvent(hash);
        figures.confirmed++;
      } else if (!(result.outcome === 'rejected' && result.code === EVENT_MAYBE_RECORDED)) {
        ledger.releaseEvent(hash);
      }
      unclaim(row, hash);
    },
    abandoned(row, maybeRecorded) {
      const hash = row.eventIdentity?.hash;
      if (hash === undefined) return;
      if (!maybeRecorded && !ledger.releaseEvent(hash)) abandonedEarly.add(row);
      unclaim(row, hash);
    },
  };
}

/** The identity the load's `EventIdentityStep` gave the row. */
function identityOf(row: RowEnvelope): EventIdentity {
  if (row.eventIdentity === undefined) {
    throw new PxStreamError('INTERNAL', `line ${row.line}: an event reached the ledger without an identity`);
  }
  return row.eventIdentity;
}
