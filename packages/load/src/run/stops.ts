import { PxStreamError } from '@pxstream/core';

/**
 * Follows the load's two stop signals: `onStop` on the first (Ctrl-C: read no more, finish what
 * is in flight), `onForce` on the second (abort what is in flight). Signals already aborted
 * call at once. Returns what stops following them.
 */
export function watchStops(
  signals: { signal?: AbortSignal | undefined; forceSignal?: AbortSignal | undefined },
  onStop: () => void,
  onForce: () => void,
): () => void {
  const { signal, forceSignal } = signals;
  if (signal?.aborted) onStop();
  else signal?.addEventListener('abort', onStop, { once: true });
  if (forceSignal?.aborted) onForce();
  else forceSignal?.addEventListener('abort', onForce, { once: true });
  return () => {
    signal?.removeEventListener('abort', onStop);
    forceSignal?.removeEventListener('abort', onForce);
  };
}

/** The error of a load stopped twice. */
export function forcedStop(): PxStreamError {
  return new PxStreamError('PIPELINE_ABORTED', 'stopped twice: requests in flight were aborted');
}

/** A dry run's reader went away (`| head`): a coded error, not a stack trace. */
export function outputClosed(error: NodeJS.ErrnoException, bodies: number): PxStreamError {
  return new PxStreamError(
    'OUTPUT_CLOSED',
    `the output was closed (${error.code ?? error.message}) after ${bodies} bodies: the dry run stopped there`,
    { fatal: true, cause: error },
  );
}
