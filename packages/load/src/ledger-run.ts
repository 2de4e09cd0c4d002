import type { PxConfig } from '@pxstream/config';
import type { RowEnvelope } from '@pxstream/core';
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
  /** Events skipped because PX recorded them in an earlier run. */
  alreadySent: number;
  /** Events an earlier run sent without an answer: rejected as maybe recorded, not sent. */
  inDoubt: number;
  /** Confirmations written this run. */
  confirmed: number;
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
  return openLedger({ dir, target, readOnly: settings.plan });
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

/**
 * The guard of an events load. Before an event goes out it is marked pending, on disk; PX's 201
 * confirms it; an answer that records nothing (a 4xx, a 429 or 503 until the attempts ran out)
 * releases the mark. After a crash the events still pending are exactly those that were on the
 * wire: a later run rejects them as maybe recorded and sends every other one once.
 */
export function eventsGuard(ledger: Ledger, figures: LedgerFigures): SendGuard {
  const alreadySent: GuardVerdict = { outcome: 'skipped', reason: 'already sent' };
  const inDoubt: GuardVerdict = {
    outcome: 'rejected',
    code: MAYBE_RECORDED,
    message:
      'an earlier run sent this event and stopped before PX answered: PX may have recorded it, so it ' +
      'was not sent again (check PX; --no-ledger sends it anyway)',
  };
  /** Rows the sink gave up on while their mark was still being written. */
  const abandonedEarly = new WeakSet<RowEnvelope>();
  return {
    async admit(row) {
      const hash = bodyHashOf(row);
      const state = ledger.eventState(hash);
      if (state === 'confirmed') {
        figures.alreadySent++;
        return alreadySent;
      }
      if (state === 'pending') {
        figures.inDoubt++;
        return inDoubt;
      }
      if (!(await ledger.markPending(hash))) {
        // The same event again in this file, marked since: it is sent once.
        figures.alreadySent++;
        return alreadySent;
      }
      if (abandonedEarly.has(row)) ledger.releaseEvent(hash);
      return undefined;
    },
    settled(row, result) {
      const hash = bodyHashOf(row);
      if (result.outcome === 'inserted') {
        ledger.confirmEvent(hash);
        figures.confirmed++;
      } else if (!(result.outcome === 'rejected' && result.code === MAYBE_RECORDED)) {
        ledger.releaseEvent(hash);
      }
    },
    abandoned(row, maybeRecorded) {
      if (maybeRecorded) return;
      if (row.bodyHash === undefined || !ledger.releaseEvent(row.bodyHash)) abandonedEarly.add(row);
    },
  };
}
