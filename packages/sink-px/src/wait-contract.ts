/**
 * What a client's caller gives and is told about waiting (availability.ts): the budget consulted
 * before each request leaves, and the events of a wait for PX.
 */

/** Consulted before every request leaves (a daily budget: see `PxClientOptions.requestBudget`). */
export interface RequestBudget {
  /**
   * Before each request is sent (after the limiter granted it). Returns undefined when it may go
   * now, or a promise resolving when it may (e.g. the next UTC day); the promise rejects with a
   * fatal PxStreamError (`PX_DAILY_BUDGET`, fatal: true) to stop the run. Called once per
   * request actually sent; the budget counts it.
   */
  take(signal: AbortSignal): Promise<void> | undefined;
}

/** A wait for PX starting or ending (`PxClientOptions.onWait`). */
export type PxWaitEvent =
  | {
      kind: 'wait-start';
      /** Epoch ms of the first failure of the spell. */
      since: number;
      /** What PX answered last, key-free: `HTTP 429 Rate limit exceeded`, `connection reset`, `timeout`. */
      answer: string;
    }
  | { kind: 'wait-end'; waitedMs: number; probes: number };
