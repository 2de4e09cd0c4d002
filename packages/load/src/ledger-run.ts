import type { PxConfig } from '@pxstream/config';
import { type EventIdentity, PxStreamError, type RowEnvelope } from '@pxstream/core';
import {
  defaultLedgerDir,
  hashBody,
  type Ledger,
  type LedgerTarget,
  ledgerExists,
  openLedger,
} from '@pxstream/ledger';
import type { GuardVerdict, SendGuard, SendResult } from '@pxstream/sink-px';
import type { RunSettings } from './settings.js';

/** The code of an event that may already be recorded in PX (the sink's code too). */
export const MAYBE_RECORDED = 'PX_EVENT_MAYBE_RECORDED';

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

/** The ledger a load uses, its guard for the sink, and its figures. */
export interface RunLedger {
  ledger: Ledger;
  guard: SendGuard;
  figures: LedgerFigures;
}

/**
 * The hash of what PX gets for a row, computed once per row and kept on it: the JSON text of
 * the mapped body, so a changed mapping or changed attribute types count as a change.
 */
export function bodyHashOf(row: RowEnvelope): string {
  row.bodyHash ??= hashBody(JSON.stringify(row.body));
  return row.bodyHash;
}

export function ledgerTarget(config: PxConfig, type: RunSettings['type']): LedgerTarget {
  // Preferences carry no product key; their target is the base URL and the type alone.
  const productKeys = config.productKeys.length > 0 ? config.productKeys : ['(none)'];
  return { baseUrl: config.baseUrl, productKeys, type };
}

/**
 * Opens the ledger a load needs, if any:
 * - custom events: by default (an event PX confirmed is never sent again);
 * - records: with `--changed-only`, `--full-resync` or `--plan`, and, once a ledger exists for
 *   the target, on every load (so it stays current: a plain load that changed a record must not
 *   leave its old hash behind for the next `--changed-only`).
 * Never in a dry run or into the embedded emulator (it forgets everything), nor with `--no-ledger`.
 */
export async function openRunLedger(
  settings: RunSettings,
  config: PxConfig,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Ledger | undefined> {
  if (settings.ledger === false || settings.emulator) return undefined;
  if (settings.dryRun && !settings.plan) return undefined;
  const target = ledgerTarget(config, settings.type);
  const dir = settings.ledger || defaultLedgerDir(target, env);
  const events = settings.type === 'CUSTOM_EVENT';
  const asked = settings.changedOnly || settings.fullResync || settings.plan;
  if (!events && !asked && !(await ledgerExists(dir))) return undefined;
  return openLedger({
    dir,
    target,
    readOnly: settings.plan,
    now: settings.clock(),
    ...(events ? { retentionDays: eventRules(settings, config).retentionDays } : {}),
  });
}

/** Days an event identity is remembered unless the config or the options say otherwise. */
export const DEFAULT_EVENT_RETENTION_DAYS = 30;

/** The event identity settings of a load: the options' over the config's. */
export function eventRules(
  settings: Pick<RunSettings, 'type' | 'eventKey' | 'eventRetentionDays'>,
  config: PxConfig,
): { eventKey: string | undefined; retentionDays: number } {
  const events = settings.type === 'CUSTOM_EVENT';
  return {
    eventKey: settings.eventKey ?? (events ? config.eventKey : undefined),
    retentionDays: settings.eventRetentionDays ?? config.eventRetentionDays ?? DEFAULT_EVENT_RETENTION_DAYS,
  };
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
    settled(row, result: SendResult) {
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
    code: MAYBE_RECORDED,
    message:
      'an earlier run sent this event and stopped before PX answered: PX may have recorded it, so it ' +
      'was not sent again (check PX; --no-ledger sends it anyway)',
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
      } else if (!(result.outcome === 'rejected' && result.code === MAYBE_RECORDED)) {
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
