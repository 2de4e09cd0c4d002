/**
 * A delete's pass over its input: the load's own pass (`runPass`: reading, checkpoint and
 * resume, rejects file, progress, Ctrl-C) with the key's steps for the mapper and validator,
 * and the PX sink in delete mode for the writes. A delete and a mirror both run it.
 */
import { keyFieldOf, type PxConfig } from '@pxstream/config';
import { createStepStream } from '@pxstream/core';
import type { Ledger } from '@pxstream/ledger';
import type { RejectsWriter } from '@pxstream/sink-errors';
import type { LoadOptions } from '../../options.js';
import type { DailyBudget } from '../../run/daily-budget.js';
import type { OpenedInput } from '../../run/input.js';
import type { LoadLog } from '../../run/log.js';
import type { PassResult, RunCheckpoint } from '../../run/pass-context.js';
import type { RowStages } from '../../run/stages.js';
import type { PxWaits } from '../../run/waits.js';
import { runPass } from '../load/pass.js';
import type { KeySteps } from './ids.js';
import type { DeleteSettings } from './settings.js';
import { createDeleteSink, type ForgetFigures, forgetGuard } from './sink.js';

export interface DeletePass {
  config: PxConfig;
  settings: DeleteSettings;
  /** The load's options the pass reads: the input's callbacks, the stop signals. */
  options: LoadOptions;
  input: OpenedInput;
  keys: KeySteps;
  checkpoint: RunCheckpoint;
  rejects: RejectsWriter;
  onRejectsError: (handler: (error: unknown) => void) => void;
  log: LoadLog;
  secrets: readonly (string | undefined)[];
  /** The target's ledger, which drops the ids PX no longer has; undefined when there is none. */
  ledger: Ledger | undefined;
  forgotten: ForgetFigures | undefined;
  budget: DailyBudget | undefined;
  waits: PxWaits;
}

/** Runs the pass; what it found is the load's `PassResult` (deleted as updated, gone as skipped). */
export function runDeletePass(run: DeletePass): Promise<PassResult> {
  const { config, settings, keys, ledger, forgotten } = run;
  const stages: RowStages = {
    mapper: keys.mapper,
    rowSteps: keys.steps,
    steps: (before = [], after = []) => createStepStream(...before, ...keys.steps, ...after),
  };
  return runPass({
    // The key is the only column a delete reads: a JSON input's other mapped fields may be absent.
    config: { ...config, fieldMapping: { [settings.type]: { [keyFieldOf(settings.type)]: keys.column } } },
    metadata: undefined,
    secrets: run.secrets,
    // The ledger is the sink's (it forgets): the load's uses of it (events, insertMissing) do not apply.
    ledger: undefined,
    ledgerFigures: undefined,
    planCounts: undefined,
    settings,
    options: run.options,
    input: run.input,
    stages,
    rejects: run.rejects,
    log: run.log,
    redact: run.log.redact,
    checkpoint: run.checkpoint,
    onRejectsError: run.onRejectsError,
    budget: run.budget,
    waits: run.waits,
    makeSink: () =>
      createDeleteSink(config, settings, {
        guard: ledger && forgotten ? forgetGuard(ledger, forgotten) : undefined,
        requestBudget: run.budget,
        onWait: run.waits.onWait,
      }),
  });
}
