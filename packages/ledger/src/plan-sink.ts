import { Writable } from 'node:stream';
import { OUTCOME_EVENT, type RowEnvelope } from '@pxstream/core';
import { bodyHashOf } from './guards.js';
import type { Ledger } from './ledger.js';

/** What `--plan` found: what a load would do with each row. */
export interface PlanCounts {
  /** Ids (events) the ledger has never seen: a load sends them. */
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

/**
 * The sink of `--plan`: compares each valid row with the ledger and counts what a load would
 * do with it; sends nothing, writes nothing. Each row is compared with the ledger as it is
 * before the load: for an id on more than one row, a load compares its later rows with the
 * earlier ones it sent, so the plan's counts of those rows are a forecast, said as such.
 */
export function createPlanSink(ledger: Ledger, counts: PlanCounts): Writable {
  const events = ledger.kind === 'events';
  const sink: Writable = new Writable({
    objectMode: true,
    highWaterMark: 64,
    write(row: RowEnvelope, _encoding, callback) {
      if (events) {
        const state = ledger.eventState(row.eventIdentity?.hash ?? bodyHashOf(row));
        if (state === undefined) counts.new++;
        else if (state === 'confirmed') counts.unchanged++;
        else counts.inDoubt++;
      } else if (row.key === undefined || ledger.lookup(row.key) === undefined) counts.new++;
      else if (ledger.hasUnchanged(row.key, bodyHashOf(row))) counts.unchanged++;
      else counts.changed++;
      sink.emit(OUTCOME_EVENT, { row, outcome: 'dry-run' });
      callback();
    },
  });
  return sink;
}
