import type { PxConfig } from '@pxstream/config';
import type { Ledger } from '@pxstream/ledger';
import {
  createPxSink,
  DEFAULT_RATE,
  type PxWaitEvent,
  type RequestBudget,
  type SendGuard,
} from '@pxstream/sink-px';
import type { SinkHandle } from '../../run/px-setup.js';
import type { DeleteSettings } from './settings.js';

/** What a delete adds to its sink: the ledger's hook, the daily count, the waits said on the log. */
export interface DeleteSinkExtras {
  guard?: SendGuard | undefined;
  requestBudget?: RequestBudget | undefined;
  onWait?: ((event: PxWaitEvent) => void) | undefined;
}

/**
 * The PX sink in delete mode: the load's sink (limiter and control law, retries, waits for PX,
 * the daily budget, `halt` on Ctrl-C) deleting each row's id instead of writing it.
 */
export function createDeleteSink(
  config: PxConfig,
  settings: DeleteSettings,
  extras: DeleteSinkExtras,
): SinkHandle {
  const { guard, requestBudget, onWait } = extras;
  const sink = createPxSink({
    guard,
    baseUrl: config.baseUrl,
    apiKey: config.apiKey ?? '',
    type: settings.type,
    delete: { hard: settings.hard },
    rate: config.rate ?? DEFAULT_RATE,
    ...(config.concurrency !== undefined ? { concurrency: config.concurrency } : {}),
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
    wait: settings.wait !== false,
    ...(requestBudget ? { requestBudget } : {}),
    ...(onWait ? { onWait } : {}),
  });
  return {
    sink,
    figures: () => {
      const stats = sink.stats();
      return {
        requests: stats.sent,
        retries: stats.retries,
        http429: stats.http429,
        waits: stats.waits,
        waitedMs: stats.waitedMs,
        concurrency: stats.peakConcurrency,
        roundTripMs: stats.roundTripMs,
      };
    },
  };
}

/** What the ledger did in a delete: the ids it dropped. */
export interface ForgetFigures {
  path: string;
  forgotten: number;
}

/**
 * The ledger's hook into a delete: an id PX deleted, or did not have (404), leaves the ledger,
 * so a later `--changed-only` load sends it again rather than skip it as unchanged. A rejected
 * or unsent delete leaves its entry: the record may still be in PX.
 */
export function forgetGuard(ledger: Ledger, figures: ForgetFigures): SendGuard {
  return {
    admit: () => undefined,
    settled(row, result) {
      if (result.outcome === 'rejected' || row.key === undefined) return;
      if (ledger.forget(row.key)) figures.forgotten++;
    },
    abandoned: () => {},
  };
}
