export type { CheckpointErrorCode } from './errors.js';
export type { Checkpoint, ResumePosition } from './file.js';
export { CHECKPOINT_VERSION, readCheckpoint, removeCheckpoint, writeCheckpoint } from './file.js';
export type { InputFingerprint } from './fingerprint.js';
export { fingerprintHead, fingerprintMismatch, HEAD_BYTES, stableHash } from './fingerprint.js';
export type { CheckpointKeeperOptions } from './keeper.js';
export { CheckpointKeeper } from './keeper.js';
export type { RowLedgerOptions, Settlement } from './ledger.js';
export { isRejected, RowLedger, settlementRow } from './ledger.js';
