import { PxStreamError } from '@pxstream/core';

export type CheckpointErrorCode = 'CHECKPOINT_NOT_FOUND' | 'CHECKPOINT_INVALID' | 'CHECKPOINT_WRITE_FAILED';

export function checkpointError(code: CheckpointErrorCode, message: string, cause?: unknown) {
  return new PxStreamError<CheckpointErrorCode>(code, message, { fatal: true, cause });
}
