import { PxStreamError } from '@pxstream/core';
import { closeOnStop, isStopError, readFailure } from '../../run/read-end.js';
import { openRead, type ReadOptions, type ReadSetup } from '../../run/read-setup.js';

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
  const release = closeOnStop(signal, () => setup?.client);
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
    throw readFailure(isStopError(error, signal) ? stopped() : error, setup);
  } finally {
    release();
  }
}

function stopped(): PxStreamError {
  return new PxStreamError('PIPELINE_ABORTED', 'the count was stopped');
}
