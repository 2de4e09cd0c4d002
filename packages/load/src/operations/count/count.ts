import { isPxStreamError, PxStreamError } from '@pxstream/core';
import { asLoadError } from '../../errors.js';
import { openRead, type ReadOptions, type ReadSetup, redactError } from '../../run/read-setup.js';

/** `count()`'s options: those of every read of PX (config, type, filter, signal...). */
export type CountOptions = ReadOptions;

/** What `count()` resolves to. */
export interface CountReport {
  type: 'USER' | 'ACCOUNT';
  /** PX's count of the records the filters match (every record of the type without one). */
  totalHits: number;
  filters: string[];
  /** Requests sent: one, unless it was retried. */
  requests: number;
  /** Where it was counted: PX's base URL (never the API key). */
  target: { baseUrl: string };
  durationMs: number;
}

/**
 * How many users or accounts PX holds that match the filters: one request, a list page of one
 * record, whose `totalHits` counts them all (px-api.md "Reading records back"). Rejects with a
 * `LoadError` (`PIPELINE_ABORTED` when `signal` stopped it).
 */
export async function count(options: CountOptions): Promise<CountReport> {
  const started = performance.now();
  const { signal } = options;
  let setup: ReadSetup | undefined;
  const stop = () => setup?.client.close();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    setup = await openRead(options);
    if (signal?.aborted) throw stopped();
    const { client, type, filters, config } = setup;
    const page = await client.listPage(type, { pageSize: 1, ...(filters.length > 0 ? { filters } : {}) });
    return {
      type,
      totalHits: page.totalHits,
      filters,
      requests: client.stats().sent,
      target: { baseUrl: config.baseUrl },
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    const aborted = signal?.aborted && isPxStreamError(error) && error.code === 'PX_ABORTED';
    const failure = asLoadError(aborted ? stopped() : error);
    throw setup ? redactError(failure, setup.log.redact) : failure;
  } finally {
    signal?.removeEventListener('abort', stop);
    setup?.client.close();
  }
}

function stopped(): PxStreamError {
  return new PxStreamError('PIPELINE_ABORTED', 'the count was stopped');
}
