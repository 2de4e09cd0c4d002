import type { PxClient } from '@pxstream/sink-px';
import type { LoadError } from '../errors.js';
import { isStopError, readFailure } from './read-end.js';
import type { ReadSetup } from './read-setup.js';

/** The fields of a read's report on when it ran and how it ended. */
export interface ReadEnding {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The read went through to its end (each operation's report says what that is). */
  complete: boolean;
  /** Stopped by `signal` (Ctrl-C). */
  interrupted: boolean;
  /** Why it failed, when it did. */
  error: { code: string; message: string } | null;
  /** Where the records came from: PX's base URL (never the API key). */
  target: { baseUrl: string } | null;
  /** The warnings it gave (on `onLog` too). */
  warnings: string[];
}

/**
 * What every read of PX (export, verify, ledger rebuild) keeps besides its own counts: when it
 * ran, how it ended (complete, stopped, failed), where it read, what it warned.
 */
export class ReadFigures {
  readonly startedAt = Date.now();
  /** `performance.now()` at the start: progress's `elapsedMs` counts from it. */
  readonly started = performance.now();
  finishedAt: number | undefined;
  complete = false;
  interrupted = false;
  error: { code: string; message: string } | null = null;
  target: { baseUrl: string } | null = null;
  warnings: string[] = [];
  client: PxClient | undefined;

  /** True, the read counted as interrupted, when `error` is what `signal`'s stop made. */
  stoppedBy(error: unknown, signal: AbortSignal | undefined): boolean {
    if (!isStopError(error, signal)) return false;
    this.interrupted = true;
    return true;
  }

  /** The `LoadError` the read rejects with, noted for the report. */
  failure(error: unknown, setup: ReadSetup | undefined): LoadError {
    const failure = readFailure(error, setup);
    this.error = { code: failure.code, message: failure.message };
    return failure;
  }

  /** The read is over: its warnings kept, its end time taken. */
  end(setup: ReadSetup | undefined): void {
    if (setup) this.warnings = [...setup.log.warnings];
    this.finishedAt = Date.now();
  }

  /** The report's fields on when the read ran and how it ended (so far, while it runs). */
  ending(): ReadEnding {
    const finishedAt = this.finishedAt ?? Date.now();
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs: finishedAt - this.startedAt,
      complete: this.complete,
      interrupted: this.interrupted,
      error: this.error,
      target: this.target,
      warnings: [...this.warnings],
    };
  }
}
