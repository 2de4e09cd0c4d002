import { isLoopbackUrl, type PxConfig } from '@pxstream/config';
import { errorMessage } from '@pxstream/core';
import { DailyRequests, dailyRequestsPath } from '@pxstream/ledger';
import type { RunSettings } from '../settings.js';
import { DailyBudget } from './daily-budget.js';
import type { LoadLog } from './log.js';

/**
 * The daily request count of a load that sends (none for a dry run, a plan or the embedded
 * emulator, which forgets everything), with the `dailyBudget` if one is asked for. The count
 * is kept on disk, across runs, for PX; a PX on this machine (an emulator: tests, trials, the
 * benchmarks) is counted for this run only unless it has a budget, so that those leave no
 * state behind. A count that cannot be kept on disk is kept in memory with a warning; a
 * budget needs the disk (it is counted across runs), so there it stops the load before
 * anything is sent.
 */
export async function openDailyBudget(
  settings: Pick<RunSettings, 'dryRun' | 'emulator' | 'dailyBudget' | 'wait' | 'clock'>,
  config: PxConfig,
  env: Readonly<Record<string, string | undefined>>,
  log: LoadLog,
): Promise<DailyBudget | undefined> {
  if (settings.dryRun || settings.emulator) return undefined;
  if (settings.dailyBudget === undefined && isLoopbackUrl(config.baseUrl)) {
    return new DailyBudget(
      DailyRequests.inMemory(settings.clock),
      undefined,
      settings.wait,
      settings.clock,
      log,
    );
  }
  const path = dailyRequestsPath({ baseUrl: config.baseUrl, productKeys: config.productKeys }, env);
  let count: DailyRequests;
  try {
    count = await DailyRequests.open(path, settings.clock);
  } catch (error) {
    if (settings.dailyBudget !== undefined) throw error;
    log.warn(`${errorMessage(error)}: requests are counted for this run only`);
    count = DailyRequests.inMemory(settings.clock);
  }
  return new DailyBudget(count, settings.dailyBudget, settings.wait, settings.clock, log);
}
