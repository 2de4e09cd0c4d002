import type { PxConfig } from '@pxstream/config';
import { errorMessage, isPxStreamError } from '@pxstream/core';
import type { Ledger, LedgerFigures, PlanCounts } from '@pxstream/ledger';
import type { MirrorFigures } from '../../report.js';
import { buildReport, type LoadReport } from '../../report.js';
import type { DailyBudget } from '../../run/daily-budget.js';
import { writeReport } from '../../run/files.js';
import type { OpenedInput } from '../../run/input.js';
import type { LoadLog } from '../../run/log.js';
import type { PassResult, RunCheckpoint } from '../../run/pass-context.js';
import type { RunSettings } from '../../settings.js';
import { eventRules } from './ledger-setup.js';
import { sayOutcome } from './messages.js';
import type { LoadOutputs } from './outputs.js';
import { planRequests } from './plan-requests.js';

export interface FinishedLoad {
  result: PassResult;
  settings: RunSettings;
  config: PxConfig;
  input: OpenedInput;
  checkpoint: RunCheckpoint;
  outputs: LoadOutputs;
  ledger: Ledger | undefined;
  ledgerFigures: LedgerFigures | undefined;
  planCounts: PlanCounts | undefined;
  log: LoadLog;
  startedAt: number;
  budget: DailyBudget | undefined;
  /** `deleteMissing`: what the mirror did after the load. */
  mirror?: MirrorFigures | undefined;
}

/**
 * After the pass: the rejects file closed (kept only with rejections), every confirmation of
 * the ledger on disk (a failure there is the run's error), what there is to say said, and the
 * report built and written. The first error of all this becomes the run's error.
 */
export async function finishLoad(run: FinishedLoad): Promise<LoadReport> {
  const { result, settings, config, outputs, ledger, ledgerFigures, planCounts, log } = run;
  const finishedAt = Date.now();
  const closed = await outputs.close();
  result.error ??= closed.error;
  try {
    await ledger?.flush();
  } catch (error) {
    result.error ??= error;
  }
  if (planCounts) {
    planCounts.invalid = result.stats.rejected;
    planCounts.repeatedIds = result.repeatedIds ?? 0;
  }
  sayOutcome(
    run,
    ledgerFigures ? { figures: ledgerFigures, rules: eventRules(settings, config) } : undefined,
  );
  const report = reportOf(run, finishedAt, closed.file);
  if (settings.report) await writeReport(settings.report, report, log.redact);
  return report;
}

function reportOf(run: FinishedLoad, finishedAt: number, rejectsFile: string | null): LoadReport {
  const { result, settings, config, input, checkpoint } = run;
  const error = result.error;
  return buildReport({
    stats: result.stats,
    sink: result.sinkFigures(),
    budget: run.budget
      ? {
          requestsToday: run.budget.today,
          waits: run.budget.waits,
          waitedMs: run.budget.waitedMs,
        }
      : null,
    dailyBudget: settings.dailyBudget ?? null,
    planRequests: run.planCounts ? planRequests(run.planCounts, settings, run.ledger?.exists === true) : null,
    type: settings.type,
    input: input.path ?? input.name,
    insertMissing: settings.insertMissing,
    dryRun: settings.dryRun,
    startedAt: run.startedAt,
    finishedAt,
    rejectsFile,
    error: error
      ? {
          code: isPxStreamError(error) ? error.code : 'INTERNAL',
          message: run.log.redact(errorMessage(error)),
        }
      : null,
    aborted: result.aborted,
    interrupted: result.interrupted,
    complete: result.complete,
    checkpoint: result.resumable ? (checkpoint.path ?? null) : null,
    resumedAtRow: checkpoint.from ? (checkpoint.from.position?.index ?? 0) : null,
    target: settings.dryRun ? null : { baseUrl: config.baseUrl, productKeys: [...config.productKeys] },
    repeatedIds: result.repeatedIds,
    plan: run.planCounts ?? null,
    ledger: run.ledgerFigures ?? null,
    mirror: run.mirror ?? null,
    warnings: run.log.warnings,
  });
}
