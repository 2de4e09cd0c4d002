/** The guard contract lives in core, shared by the sinks that take one and the ledger that provides them. */
export type { GuardedResult, GuardVerdict, SendGuard } from '@pxstream/core';
