import type { PxConfig } from '@pxstream/config';
import { DEFAULT_RATE, type PxClientOptions, type PxWaitEvent, type RequestBudget } from '@pxstream/sink-px';

/** How an operation talks to PX beyond its config: the timeout, waiting for PX, the daily count. */
export interface PxConnectionSettings {
  timeoutMs?: number | undefined;
  /** Wait for PX when it refuses everything (default), or stop. */
  wait?: boolean | undefined;
  requestBudget?: RequestBudget | undefined;
  /** The waits for PX, said on the operation's log. */
  onWait?: ((event: PxWaitEvent) => void) | undefined;
}

/**
 * The PX client options of every operation's sink or reader: the config's address, key, rate
 * and concurrency (else sized by the client), the request timeout, waiting for PX unless told
 * not to, the daily count. So a read of PX goes at the pace, and waits, as a load's writes do.
 */
export function pxClientOptions(config: PxConfig, settings: PxConnectionSettings): PxClientOptions {
  return {
    baseUrl: config.baseUrl,
    apiKey: config.apiKey ?? '',
    rate: config.rate ?? DEFAULT_RATE,
    ...(config.concurrency !== undefined ? { concurrency: config.concurrency } : {}),
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    wait: settings.wait !== false,
    ...(settings.requestBudget ? { requestBudget: settings.requestBudget } : {}),
    ...(settings.onWait ? { onWait: settings.onWait } : {}),
  };
}
