import type { PxConfig } from '@pxstream/config';
import {
  DEFAULT_RETENTION_DAYS,
  defaultLedgerDir,
  type Ledger,
  type LedgerTarget,
  ledgerExists,
  openLedger,
} from '@pxstream/ledger';
import type { RunSettings } from '../../settings.js';

export function ledgerTarget(config: PxConfig, type: RunSettings['type']): LedgerTarget {
  // Preferences carry no product key; their target is the base URL and the type alone.
  const productKeys = config.productKeys.length > 0 ? config.productKeys : ['(none)'];
  return { baseUrl: config.baseUrl, productKeys, type };
}

/**
 * Opens the ledger a load needs, if any:
 * - custom events: by default (an event PX confirmed is never sent again);
 * - records: with `--changed-only`, `--full-resync` or `--plan`, and, once a ledger exists for
 *   the target, on every load (so it stays current: a plain load that changed a record must not
 *   leave its old hash behind for the next `--changed-only`).
 * Never in a dry run or into the embedded emulator (it forgets everything), nor with `--no-ledger`.
 */
export async function openRunLedger(
  settings: RunSettings,
  config: PxConfig,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Ledger | undefined> {
  if (settings.ledger === false || settings.emulator) return undefined;
  if (settings.dryRun && !settings.plan) return undefined;
  const target = ledgerTarget(config, settings.type);
  const dir = settings.ledger || defaultLedgerDir(target, env);
  const events = settings.type === 'CUSTOM_EVENT';
  const asked = settings.changedOnly || settings.fullResync || settings.plan;
  if (!events && !asked && !(await ledgerExists(dir))) return undefined;
  return openLedger({
    dir,
    target,
    readOnly: settings.plan,
    now: settings.clock(),
    ...(events ? { retentionDays: eventRules(settings, config).retentionDays } : {}),
  });
}

/** The event identity settings of a load: the options' over the config's. */
export function eventRules(
  settings: Pick<RunSettings, 'type' | 'eventKey' | 'eventRetentionDays'>,
  config: PxConfig,
): { eventKey: string | undefined; retentionDays: number } {
  const events = settings.type === 'CUSTOM_EVENT';
  return {
    eventKey: settings.eventKey ?? (events ? config.eventKey : undefined),
    retentionDays: settings.eventRetentionDays ?? config.eventRetentionDays ?? DEFAULT_RETENTION_DAYS,
  };
}
