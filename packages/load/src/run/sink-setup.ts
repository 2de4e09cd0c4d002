import type { PxConfig, RecordType } from '@pxstream/config';
import {
  createPxSink,
  type PxSink,
  type PxSinkOptions,
  type PxWaitEvent,
  type RequestBudget,
  type SendGuard,
} from '@pxstream/sink-px';
import type { SinkFigures } from '../report.js';
import { pxClientOptions } from './px-connection.js';

/** What an operation adds to its sink: the ledger's hook, the daily count, the waits said on the log, the ids PX has. */
export interface SinkExtras {
  guard?: SendGuard | undefined;
  requestBudget?: RequestBudget | undefined;
  onWait?: ((event: PxWaitEvent) => void) | undefined;
  knownId?: ((id: string) => boolean) | undefined;
}

/** The settings every sending operation's sink reads: the type, the request timeout, waiting for PX. */
export interface SinkSettings {
  type: RecordType;
  timeoutMs: number | undefined;
  /** Wait for PX when it refuses everything (default), or stop. */
  wait?: boolean | undefined;
}

/** What an operation's sink does with its rows: a load's writes, or a delete's deletes. */
export type SinkMode = Pick<PxSinkOptions, 'insertMissing' | 'delete' | 'maxPendingPerRequest'>;

export interface SinkHandle {
  sink: PxSink;
  figures(): SinkFigures;
}

/**
 * The PX sink every sending operation opens: the config's address, key, rate and concurrency,
 * the limiter and control law, retries, waits for PX and the daily count; `mode` says whether it
 * writes or deletes.
 */
export function openPxSink(
  config: PxConfig,
  settings: SinkSettings,
  extras: SinkExtras,
  mode: SinkMode,
): SinkHandle {
  const { guard, requestBudget, onWait, knownId } = extras;
  const sink = createPxSink({
    guard,
    ...mode,
    ...pxClientOptions(config, { timeoutMs: settings.timeoutMs, wait: settings.wait, requestBudget, onWait }),
    type: settings.type,
    ...(knownId ? { knownId } : {}),
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

/** The load's sink: writes (updates, or inserts with `insertMissing`). */
export function createSink(
  config: PxConfig,
  settings: SinkSettings & { insertMissing: boolean },
  extras: SinkExtras = {},
): SinkHandle {
  return openPxSink(config, settings, extras, {
    insertMissing: settings.insertMissing,
    // Events with the ledger: a row is marked pending when the sink takes it, so the sink takes
    // no more than it has requests in flight. After a kill -9 the events in doubt are then the
    // ones that were on the wire, not a queue behind them. (The cap follows the round trip.)
    ...(extras.guard && settings.type === 'CUSTOM_EVENT' ? { maxPendingPerRequest: 1 } : {}),
  });
}
