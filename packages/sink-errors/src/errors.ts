import { PxStreamError } from '@pxstream/core';

/**
 * Codes of the errors this package raises:
 * - `REJECTS_WRITE_FAILED`: the rejects file cannot be created, written or closed (fatal: rows
 *   would be rejected without a trace);
 * - `REJECTS_INVALID_OPTION`: a bad option (delimiter, format, bound), a programming error.
 */
export type RejectsErrorCode = 'REJECTS_WRITE_FAILED' | 'REJECTS_INVALID_OPTION';

export type RejectsError = PxStreamError<RejectsErrorCode>;

/** `cannot write the rejects file <path>: <OS reason>`, fatal. */
export function rejectsWriteFailed(path: string, cause: unknown): RejectsError {
  return new PxStreamError(
    'REJECTS_WRITE_FAILED',
    `cannot write the rejects file ${path}: ${reason(cause)}`,
    {
      fatal: true,
      cause,
    },
  );
}

export function invalidOption(message: string): RejectsError {
  return new PxStreamError('REJECTS_INVALID_OPTION', message, { fatal: true });
}

/**
 * The OS reason without the path Node appends (`EISDIR: illegal operation on a directory, open
 * '/x'` -> `EISDIR: illegal operation on a directory`): the message names the path once.
 */
function reason(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const syscall = (cause as NodeJS.ErrnoException).syscall;
  return syscall ? cause.message.replace(new RegExp(`, ${syscall} '.*'$`, 's'), '') : cause.message;
}
