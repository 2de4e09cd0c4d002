import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import {
  type EventIdentity,
  isCsvRow,
  isRejection,
  type JsonObject,
  type Rejection,
  type RowEnvelope,
  type RowStep,
  readPath,
  runStep,
} from '@pxstream/core';
import type { EventIdentityRejectionCode } from './errors.js';
import { bodyHashOf } from './guards.js';
import { hashBody } from './hash.js';
import { OccurrenceCounter } from './occurrences.js';

/**
 * Gives each custom event its identity in the events ledger (issue 28), by the first rule
 * that applies:
 * 1. `eventKey` names a column: its value. One event per key, across files and runs.
 * 2. The event has a date: its body (user, name, date, attributes...) and its occurrence among
 *    identical rows of this input, so two identical clicks in one file are two events, a rerun
 *    sends nothing and an overlapping export sends only its new rows. The first occurrence's
 *    identity is the body's hash alone: what ledgers written before this rule hold.
 * 3. No date (PX stamps it on arrival): the input and the row's position in it. A rerun or a
 *    resume of the same file sends nothing; the same event in another file is another event.
 *
 * A step after the validator: it sees every valid row, in input order. Rows before a resumed
 * run's first row must be shown to `observe` (through the range's `beforeFirst`), or the
 * occurrence numbers after them would restart at 1.
 */
export class EventIdentityStep implements RowStep {
  readonly stage = 'map' as const;
  private readonly occurrences = new OccurrenceCounter();
  private columns: readonly string[] | undefined;
  private keyAt = -1;
  private readonly keySegments: readonly string[] | undefined;

  constructor(
    private readonly options: {
      /** The key column (rule 1), if any. */
      eventKey: string | undefined;
      /** What identifies this input for undated events (rule 3): see `eventInputId`. */
      inputId: string;
      /** The steps a row below the run's first row goes through before it is counted. */
      before: readonly RowStep[];
    },
  ) {
    this.keySegments = options.eventKey?.split('.');
  }

  process(row: RowEnvelope): RowEnvelope | Rejection {
    const { eventKey } = this.options;
    if (eventKey !== undefined) {
      const value = this.keyOf(row);
      if (value === undefined) {
        return {
          row,
          stage: 'map',
          code: 'MAP_EVENT_KEY_EMPTY' satisfies EventIdentityRejectionCode,
          message: `the event key column "${eventKey}" is empty: the event has no identity`,
          field: eventKey,
        };
      }
      row.eventIdentity = { hash: hashBody(`pxstream-event-key\u0000${value}`), by: 'key' };
      return row;
    }
    row.eventIdentity = this.identityOf(row);
    return row;
  }

  /**
   * A row before the run's first row (a resume, `startRow`): mapped and validated as the run
   * would, and counted if it is a dated event, so that later identical rows keep their numbers.
   */
  observe(row: RowEnvelope): void {
    if (this.options.eventKey !== undefined) return;
    let current = row;
    for (const step of this.options.before) {
      const result = runStep(step, current);
      if (isRejection(result)) return; // rejected: the run it resumes never counted it either
      current = result;
    }
    if (isDated(current)) this.occurrences.next(bodyHashOf(current));
  }

  private identityOf(row: RowEnvelope): EventIdentity {
    if (isDated(row)) {
      const content = bodyHashOf(row);
      const occurrence = this.occurrences.next(content);
      return { hash: occurrence === 1 ? content : hashBody(`${content}#${occurrence}`), by: 'content' };
    }
    const where = `pxstream-event-position\u0000${this.options.inputId}\u0000${row.index}`;
    return { hash: hashBody(where), by: 'position' };
  }

  /** The key column's value, trimmed; undefined when the cell is absent or blank. */
  private keyOf(row: RowEnvelope): string | undefined {
    const column = this.options.eventKey!;
    let raw: unknown;
    if (isCsvRow(row)) {
      if (row.columns !== this.columns) {
        this.columns = row.columns;
        this.keyAt = row.columns ? row.columns.indexOf(column) : -1;
      }
      raw = this.keyAt < 0 ? undefined : row.fields[this.keyAt];
    } else {
      raw = readPath(row.fields as JsonObject, column, this.keySegments!);
    }
    if (raw === undefined || raw === null) return undefined;
    const text = (typeof raw === 'object' ? JSON.stringify(raw) : String(raw)).trim();
    return text === '' ? undefined : text;
  }
}

/** A custom event with a date of its own (the mapped `date`): PX did not stamp it on arrival. */
function isDated(row: RowEnvelope): boolean {
  return typeof row.body?.date === 'number';
}

/**
 * What identifies an input for its undated events. A file: its name, size, modification time
 * and first bytes, so a rerun of the same file finds the same identities, while tomorrow's
 * export, even byte for byte the same as today's (`u1,login`), is another input. A stream or
 * objects: nothing stays the same from run to run, so each run is a new input (a rerun sends
 * the undated events again: a duplicate is better than a loss). A resume takes the identity
 * its checkpoint recorded.
 */
export function eventInputId(input: EventInput, resumed?: string): string {
  if (resumed !== undefined) return resumed;
  if (input.path === undefined) return `run:${randomUUID()}`;
  const file = {
    name: basename(input.path),
    size: input.size ?? null,
    modifiedMs: input.modifiedMs ?? null,
    head: input.headHash,
  };
  return `file:${hashBody(JSON.stringify(file))}`;
}

/** What `eventInputId` knows of an input. */
export interface EventInput {
  /** A file's path; undefined for a stream or objects. */
  readonly path: string | undefined;
  readonly size?: number | undefined;
  readonly modifiedMs?: number | undefined;
  /** A hash of the input's first bytes (the checkpoint's fingerprint). */
  readonly headHash: string;
}
