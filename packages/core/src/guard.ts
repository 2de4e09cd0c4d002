/**
 * A hook around every row a sink sends, for what knows more than the sink: the incremental
 * sync ledger (skip a row PX already holds; mark an event before it goes out). The sink calls
 * it in each id's file order, so a verdict always sees the rows before it settled.
 */
import type { RowEnvelope } from './row.js';

/** Ends a row without a request: skipped (with why), or rejected (with a code). */
export type GuardVerdict =
  | { readonly outcome: 'skipped'; readonly reason: string }
  | { readonly outcome: 'rejected'; readonly code: string; readonly message: string };

/**
 * How a guarded row ended, as much as a guard needs: the sink's own result type (sink-px's
 * `SendResult`) has these fields and more.
 */
export interface GuardedResult {
  readonly outcome: 'updated' | 'inserted' | 'skipped' | 'rejected';
  /** A rejection's code. */
  readonly code?: string;
}

/**
 * The code of an event that may already be recorded in PX: its request was on the wire when a
 * run stopped. The PX sink rejects such a row with it, and a guard leaves its mark in doubt.
 */
export const EVENT_MAYBE_RECORDED = 'PX_EVENT_MAYBE_RECORDED';

export interface SendGuard {
  /**
   * A row is about to be sent: every earlier row of its id has ended. Return a verdict to end
   * it without a request, or undefined to send it; may wait (a durable mark before an event).
   */
  admit(row: RowEnvelope): GuardVerdict | undefined | Promise<GuardVerdict | undefined>;
  /**
   * Optional, synchronous: asked as a row arrives when no earlier row of its id is waiting or
   * in flight. A verdict ends the row at once, before it takes a place in the sink (no
   * per-id queue, no request bookkeeping, no slot counted against `maxPending`); undefined
   * lets it in, and `admit` is asked as usual. For verdicts that need nothing the earlier rows
   * of the id could change: the ledger's "PX holds this body already".
   */
  skip?(row: RowEnvelope): GuardVerdict | undefined;
  /** A row admitted and sent ended with this result. */
  settled(row: RowEnvelope, result: GuardedResult): void;
  /**
   * The sink stopped (a fatal answer, an abort) before a row it had admitted ended.
   * `maybeRecorded`: its request was on the wire, so PX may have applied it; false when it was
   * never sent, or PX answered it (401/403/429 apply nothing).
   */
  abandoned(row: RowEnvelope, maybeRecorded: boolean): void;
}
