/**
 * How a read of PX (export, count, verify, ledger rebuild) ends: a stop closes its client, so
 * the request on its way ends too; the error that stop makes is an interruption, not a failure;
 * any other error is the `LoadError` the operation rejects with, the key kept out of it.
 */
import { isPxStreamError } from '@pxstream/core';
import type { PxClient } from '@pxstream/sink-px';
import { asLoadError, type LoadError } from '../errors.js';
import { type ReadSetup, redactError } from './read-setup.js';

/**
 * Closes the read's client (once there is one) when `signal` stops it; the reader then sees
 * the signal. Returns `release`, for `finally`: it stops listening and closes the client.
 */
export function closeOnStop(signal: AbortSignal | undefined, client: () => PxClient | undefined): () => void {
  const stop = () => client()?.close();
  signal?.addEventListener('abort', stop, { once: true });
  return () => {
    signal?.removeEventListener('abort', stop);
    client()?.close();
  };
}

/** True for the error of a request that `signal`'s stop aborted. */
export function isStopError(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && isPxStreamError(error) && error.code === 'PX_ABORTED';
}

/** The read's failure as a `LoadError`, redacted once the read's setup (and its key) is known. */
export function readFailure(error: unknown, setup: ReadSetup | undefined): LoadError {
  const failure = asLoadError(error);
  return setup ? redactError(failure, setup.log.redact) : failure;
}
