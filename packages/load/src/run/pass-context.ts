import type { CheckpointSetup } from '@pxstream/checkpoint';
import type { PxConfig } from '@pxstream/config';
import type { Rejection, RunStats } from '@pxstream/core';
import type { Ledger, LedgerFigures, PlanCounts } from '@pxstream/ledger';
import type { RejectsWriter } from '@pxstream/sink-errors';
import type { PlanFile } from '../operations/load/plan-file.js';
import type { LoadOptions } from '../options.js';
import type { SinkFigures } from '../report.js';
import type { RunSettings } from '../settings.js';
import type { DailyBudget } from './daily-budget.js';
import type { OpenedInput } from './input.js';
import type { LoadLog } from './log.js';
import type { RepeatCounter } from './repeat-counter.js';
import type { SinkHandle } from './sink-setup.js';
import type { AttributeMetadataList, RowStages } from './stages.js';
import type { PxWaits } from './waits.js';

/**
 * What a pass over the input is given and what it gives back: the contract between the load's
 * orchestration and its two engines, the streaming pass and the threaded dry run.
 */

/** What a load knows about checkpoints (see `CheckpointSetup`), and whether its input is empty. */
export interface RunCheckpoint extends CheckpointSetup {
  /** The input holds no byte at all. */
  empty: boolean;
  /** `resume` found no checkpoint at this path: the run starts at the first row. */
  missing?: string;
}

export interface PassResult {
  stats: RunStats;
  error: unknown;
  /** Stopped by `signal` (Ctrl-C). */
  interrupted: boolean;
  /** Stopped harder by `forceSignal` (Ctrl-C twice): requests in flight were aborted. */
  aborted: boolean;
  /** True when every row of the input (or range) reached an end. */
  complete: boolean;
  /** A checkpoint was left behind: `resume` can carry on. */
  resumable: boolean;
  sinkFigures(): SinkFigures;
  /** Ids on more than one row of this run (null for events, where one user has many rows). */
  repeatedIds: number | null;
}

export interface PassContext {
  config: PxConfig;
  /** PX's attribute metadata the stages were built with (undefined without a key). */
  metadata: AttributeMetadataList | undefined;
  /** What every output is redacted of (the API key), for threads that build their own redactor. */
  secrets: readonly (string | undefined)[];
  /** The incremental-sync ledger, when the load uses one (see `openRunLedger`). */
  ledger: Ledger | undefined;
  /** What the ledger did, filled in as rows end. */
  ledgerFigures: LedgerFigures | undefined;
  /** `--plan`: the counts its sink fills in. */
  planCounts: PlanCounts | undefined;
  /** `planFile`: the plan row by row. */
  planFile?: PlanFile | undefined;
  settings: RunSettings;
  options: LoadOptions;
  input: OpenedInput;
  stages: RowStages;
  rejects: RejectsWriter;
  log: LoadLog;
  redact: (text: string) => string;
  /** Where this run's checkpoint goes, and the one it resumes. */
  checkpoint: RunCheckpoint;
  /** Registers what to do when the rejects file fails mid-run (stop the run). */
  onRejectsError: (handler: (error: unknown) => void) => void;
  /** The daily request count (and `dailyBudget`) of a load that sends; undefined otherwise. */
  budget: DailyBudget | undefined;
  /** The waits for PX, said on the log. */
  waits: PxWaits;
  /** The sink to send with instead of the load's writes (a delete's: `createDeleteSink`). */
  makeSink?: (() => SinkHandle) | undefined;
}

/** A rejection whose texts quote the row: the key may be in them (a value that holds it). */
export function redactRejection(rejection: Rejection, redact: (text: string) => string): Rejection {
  const message = redact(rejection.message);
  const raw = rejection.raw === undefined ? undefined : redact(rejection.raw);
  if (message === rejection.message && raw === rejection.raw) return rejection;
  return { ...rejection, message, ...(raw === undefined ? {} : { raw }) };
}

/**
 * The end of a pass, the same for both engines: the repeated ids counted (their temporary files
 * removed), and whether every row reached an end.
 */
export function endOfPass(pass: {
  error: unknown;
  interrupted: boolean;
  stats: RunStats;
  repeats: RepeatCounter | undefined;
}): { error: unknown; complete: boolean; repeatedIds: number | null } {
  let { error } = pass;
  let repeatedIds: number | null = null;
  try {
    repeatedIds = pass.repeats ? pass.repeats.count() : null;
  } catch (caught) {
    error ??= caught;
  }
  const complete = error === undefined && !pass.interrupted && pass.stats.notSent === 0;
  return { error, complete, repeatedIds };
}
