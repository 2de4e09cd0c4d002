import type { PxConfig } from '@pxstream/config';
import type { Ledger } from '@pxstream/ledger';
import type { SendGuard } from '@pxstream/sink-px';
import { openPxSink, type SinkExtras, type SinkHandle } from '../../run/sink-setup.js';
import type { DeleteSettings } from './settings.js';

/**
 * The PX sink in delete mode: the load's sink (limiter and control law, retries, waits for PX,
 * the daily budget, `halt` on Ctrl-C) deleting each row's id instead of writing it. Its extras:
 * the ledger's hook, the daily count, the waits said on the log.
 */
export function createDeleteSink(
  config: PxConfig,
  settings: DeleteSettings,
  extras: Omit<SinkExtras, 'knownId'>,
): SinkHandle {
  return openPxSink(config, settings, extras, { delete: { hard: settings.hard } });
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
