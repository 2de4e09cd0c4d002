/**
 * The row envelope: one object per input row, created by a source and handed from stage to
 * stage. Stages add to it in place (`body`, `key`) instead of allocating a new object per
 * stage, because this path runs millions of times per load.
 */

/** A JSON object as parsed from JSON-lines input or built for a PX body. */
export type JsonObject = { [key: string]: unknown };

/**
 * Source fields: for CSV, the cell values in header order (see `columns`); for JSON-lines,
 * the parsed object.
 */
export type SourceFields = readonly string[] | JsonObject;

export interface RowEnvelope {
  /** 0-based index of the data row in the input (the CSV header is not a row). */
  readonly index: number;
  /** 1-based physical line where the row starts in the input. */
  readonly line: number;
  /** The row's source fields. */
  readonly fields: SourceFields;
  /**
   * For CSV: the header names, one shared array for every row of a file (never copied per
   * row). Absent for JSON-lines.
   */
  readonly columns?: readonly string[];
  /** Byte offset in the input just past this row, where known (used by resume). */
  readonly endOffset?: number;
  /** The record key (`identifyId` for users, `id` for accounts), set by the mapper. */
  key?: string;
  /** The PX request body, set by the mapper and checked by the validator. */
  body?: JsonObject;
  /** A hash of the body's JSON, set when the incremental-sync ledger needs it (once per row). */
  bodyHash?: string;
  /** A custom event's identity in the events ledger, set when the load keeps that ledger. */
  eventIdentity?: EventIdentity;
}

/**
 * What makes a custom event one event, in the order the rules apply: the value of a key
 * column the user named; else, for a dated event, its content and its occurrence among
 * identical rows of the input; else the input and the row's position in it.
 */
export interface EventIdentity {
  /** 40 hex digits (SHA-1), what the events ledger is keyed by. */
  readonly hash: string;
  readonly by: 'key' | 'content' | 'position';
}

/** True when the envelope came from a CSV source (its fields are an array of cells). */
export function isCsvRow(row: RowEnvelope): row is RowEnvelope & { fields: readonly string[] } {
  return Array.isArray(row.fields);
}
