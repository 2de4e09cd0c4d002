/** How one row ended: what `send` resolves with. */
import type { PxSinkErrorCode } from './errors.js';

export type SendOutcome = 'updated' | 'inserted' | 'skipped';

/** How one row ended. */
export type SendResult =
  | {
      readonly outcome: SendOutcome;
      /**
       * The status of the answer that settled the row: 204/201 usually; 200 when a create of
       * ours that may have gone through (lost answer, or a duplicate after a failed attempt) was
       * read back holding the row's values.
       */
      readonly status: number;
      /** Why a row was skipped: `no match` (404 in update mode). */
      readonly reason?: string;
      /** HTTP requests made for the row. */
      readonly attempts: number;
    }
  | {
      readonly outcome: 'rejected';
      readonly code: PxSinkErrorCode;
      readonly status?: number;
      /** Single line, PX's own message where there is one, never the API key. */
      readonly message: string;
      readonly attempts: number;
    };

/** A row that was rejected: its code, status and message. */
export type SendRejected = Extract<SendResult, { outcome: 'rejected' }>;
