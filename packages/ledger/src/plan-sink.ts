import { Writable } from 'node:stream';
import { OUTCOME_EVENT, type RowEnvelope } from '@pxstream/core';
import { bodyHashOf } from './guards.js';
import type { Ledger } from './ledger.js';

/** What `--plan` found: what a load would do with each row. */
export interface PlanCounts {
  /** Ids (events) the ledger has never seen ("new in the ledger": PX may hold them): a load sends them. */
  new: number;
  /** Ids whose body differs from the one PX last confirmed: a load sends them. */
  changed: number;
  /** Rows whose body PX holds already (events: recorded already): `--changed-only` skips them. */
  unchanged: number;
  /** Events an earlier run sent without an answer: a load rejects them as maybe recorded. */
  inDoubt: number;
  /** Ids on more than one row. */
  repeatedIds: number;
  /** Rows rejected by parsing, mapping or validation. */
  invalid: number;
}

export function newPlanCounts(): PlanCounts {
  return { new: 0, changed: 0, unchanged: 0, inDoubt: 0, repeatedIds: 0, invalid: 0 };
}

/** What `--plan` found for one row (`unchanged`: for events, recorded by PX already). */
export type PlanVerdict = 'new' | 'changed' | 'unchanged' | 'in-doubt';

/**
 * Told of each row's verdict (`planFile`); a promise holds the next row back until it settles
 * (a file's backpressure).
 */
export type PlanListener = (row: RowEnvelope, verdict: PlanVerdict) => void | Promise<void>;

/**
 * The sink of `--plan`: compares each valid row with the ledger and counts what a load would
 * do with it; sends nothing, writes nothing (but what `onPlanned` writes). Each row is compared
 * with the ledger as it is before the load: for an id on more than one row, a load compares its
 * later rows with the earlier ones it sent, so the plan's counts of those rows are a forecast,
 * said as such. "new" means new in the ledger: an id the ledger never saw, which PX may hold
 * (a ledger that does not exist yet has seen none: see `pxstream ledger rebuild`).
 */
export function createPlanSink(ledger: Ledger, counts: PlanCounts, onPlanned?: PlanListener): Writable {
  const events = ledger.kind === 'events';
  const sink: Writable = new Writable({
    objectMode: true,
    highWaterMark: 64,
    write(row: RowEnvelope, _encoding, callback) {
      const verdict = events ? eventVerdict(ledger, row) : recordVerdict(ledger, row);
      if (verdict === 'new') counts.new++;
      else if (verdict === 'changed') counts.changed++;
      else if (verdict === 'unchanged') counts.unchanged++;
      else counts.inDoubt++;
      sink.emit(OUTCOME_EVENT, { row, outcome: 'dry-run' });
      let told: void | Promise<void>;
      try {
        told = onPlanned?.(row, verdict);
      } catch (error) {
        callback(error as Error);
        return;
      }
      if (told === undefined) callback();
      else told.then(() => callback(), callback);
    },
  });
  return sink;
}

function eventVerdict(ledger: Ledger, row: RowEnvelope): PlanVerdict {
  const state = ledger.eventState(row.eventIdentity?.hash ?? bodyHashOf(row));
  return state === undefined ? 'new' : state === 'confirmed' ? 'unchanged' : 'in-doubt';
}

function recordVerdict(ledger: Ledger, row: RowEnvelope): PlanVerdict {
  if (row.key === undefined || ledger.lookup(row.key) === undefined) return 'new';
  return ledger.hasUnchanged(row.key, bodyHashOf(row)) ? 'unchanged' : 'changed';
}
