import { PxStreamError } from './errors.js';
import type { RowEnvelope } from './row.js';

import type { StageName } from './stages.js';

export { STAGES, type StageName } from './stages.js';

/**
 * What a stage emits instead of a row it cannot pass on. Rejections are data, not
 * exceptions: they go to the error channel and the run goes on.
 */
export interface Rejection {
  /** The row as far as it got. For a parse failure `fields` may be partial or empty. */
  readonly row: RowEnvelope;
  readonly stage: StageName;
  /** Stable error code users match on, e.g. `CSV_QUOTE_NOT_CLOSED`, `MAP_INVALID_DATE`, `PX_HTTP_400`. */
  readonly code: string;
  /** HTTP status of PX's answer, when the rejection comes from one. */
  readonly status?: number;
  /** Human-readable reason, single line, never containing the API key. */
  readonly message: string;
  /** The PX field or source column at fault, when there is one. */
  readonly field?: string;
  /** The raw source text of the row, when it could not be split into fields. */
  readonly raw?: string;
}

/** The event name every stage stream uses to announce a rejection. */
export const REJECTION_EVENT = 'rejection';

/** A stage stream: it announces rejections as events and can be destroyed. */
interface RejectingStage {
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
  destroy(error?: Error): unknown;
}

/**
 * Announces a rejection on a stage stream. A rejection is never lost silently: when nobody
 * listens for it (a stage piped by hand without a rejections sink), the stage fails instead,
 * with `REJECTION_UNHANDLED` naming the row. `startPipeline` always listens (its `onRejection`
 * is required); anyone wiring stages into `stream.pipeline()` listens on each stage.
 */
export function emitRejection(stage: RejectingStage, rejection: Rejection): void {
  if (stage.listenerCount(REJECTION_EVENT) > 0) {
    stage.emit(REJECTION_EVENT, rejection);
    return;
  }
  stage.destroy(
    new PxStreamError(
      'REJECTION_UNHANDLED',
      `line ${rejection.row.line} was rejected (${rejection.code}: ${rejection.message}) and no one listens ` +
        'for rejections: give startPipeline an onRejection, or listen for "rejection" on every stage',
      { fatal: true, stage: rejection.stage, line: rejection.row.line },
    ),
  );
}

export function isRejection(value: unknown): value is Rejection {
  return (
    typeof value === 'object' &&
    value !== null &&
    'stage' in value &&
    'code' in value &&
    'row' in value &&
    'message' in value
  );
}
