import type { PlanCounts } from '@pxstream/ledger';
import type { PlanRequests } from '../../report.js';
import type { RunSettings } from '../../settings.js';

/**
 * PX's daily quota per subscription (px-api.md, "Rate limits": about 1,000,000 requests a
 * day): what a plan counts days at when no `dailyBudget` is given.
 */
export const PX_DAILY_QUOTA = 1_000_000;

/**
 * The requests a load of the planned input would send: one per row it sends (a row PX lacks
 * costs one `POST`, a row it has one `PUT`, a row update mode finds missing one `PUT` answered
 * 404), so new and changed rows, and unchanged ones unless `changedOnly` skips them. Custom
 * events: the new ones (recorded and in-doubt events are not sent). Retries come on top.
 */
export function planRequests(
  counts: PlanCounts,
  settings: Pick<RunSettings, 'type' | 'changedOnly' | 'dailyBudget'>,
  fromLedger: boolean,
): PlanRequests {
  const requests =
    settings.type === 'CUSTOM_EVENT'
      ? counts.new
      : counts.new + counts.changed + (settings.changedOnly ? 0 : counts.unchanged);
  const perDay = settings.dailyBudget ?? PX_DAILY_QUOTA;
  return { requests, perDay, days: Math.ceil(requests / perDay), fromLedger };
}
