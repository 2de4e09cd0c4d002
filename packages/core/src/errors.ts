import type { StageName } from './stages.js';

/** Codes of the errors `core` itself raises. Each package declares its own union beside it. */
export type CoreErrorCode = 'PIPELINE_ABORTED' | 'IO_READ_FAILED' | 'REJECTION_UNHANDLED' | 'INTERNAL';

export interface PxStreamErrorOptions {
  /** True when repeating the same operation may succeed (429, 5xx, reset, timeout). */
  retryable?: boolean;
  /** True when the whole run must stop (bad config, bad key, unreadable file). */
  fatal?: boolean;
  stage?: StageName;
  line?: number;
  column?: number;
  field?: string;
  status?: number;
  cause?: unknown;
}

/**
 * The one error class of pxstream. `code` is stable and is what callers match on; the
 * message is for people. Packages narrow `C` to their own code union.
 */
export class PxStreamError<C extends string = string> extends Error {
  override readonly name: string = 'PxStreamError';
  readonly code: C;
  readonly retryable: boolean;
  readonly fatal: boolean;
  readonly stage: StageName | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly field: string | undefined;
  readonly status: number | undefined;

  constructor(code: C, message: string, options: PxStreamErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.fatal = options.fatal ?? false;
    this.stage = options.stage;
    this.line = options.line;
    this.column = options.column;
    this.field = options.field;
    this.status = options.status;
  }
}

export function isPxStreamError(error: unknown): error is PxStreamError {
  return error instanceof PxStreamError;
}

/** A one-line message for any thrown value, for fatal errors printed to people. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/\s*\n\s*/g, ' ');
  return String(error);
}
