import { HEAD_BYTES } from '@pxstream/checkpoint';
import { createRedactor } from '@pxstream/core';
import { IdFingerprints } from '@pxstream/ledger';
import { asLoadError, type LoadError } from '../../errors.js';
import type { LoadOptions } from '../../options.js';
import { openDailyBudget } from '../../run/budget-setup.js';
import { prepareConfig, requireKey } from '../../run/config.js';
import { writeReport } from '../../run/files.js';
import { type OpenedInput, openInput } from '../../run/input.js';
import { LoadLog } from '../../run/log.js';
import type { PassResult } from '../../run/pass-context.js';
import { preflight } from '../../run/px-setup.js';
import { redactError } from '../../run/read-setup.js';
import { PxWaits } from '../../run/waits.js';
import { sniffFormat } from '../../settings.js';
import { planResume } from '../load/checkpoint-setup.js';
import { openRunLedger } from '../load/ledger-setup.js';
import { openOutputs } from '../load/outputs.js';
import { deleteCapExceeded } from './caps.js';
import { type InputIds, type KeySteps, keySteps, readInputIds } from './ids.js';
import { runDeletePass } from './pass.js';
import { readableTwice } from './read-twice.js';
import { buildDeleteReport, type DeleteReportFields, deleteProgressOf, deleteRowEventOf } from './report.js';
import {
  configForHash,
  type DeleteSettings,
  defaultFiles,
  keyColumnOf,
  resolveDeleteSettings,
} from './settings.js';
import type { ForgetFigures } from './sink.js';
import type { DeleteOptions, DeleteReport } from './types.js';

/**
 * Deletes the users or accounts an input names (README, "Deleting"), caps first: the input's
 * distinct ids are counted over the whole input before anything is sent, and more than
 * `maxDeletes` (default 1,000) refuses the delete (`DELETE_CAP_EXCEEDED`). Then each row's id is
 * deleted through the load's own pass and PX sink: the same limiter and control law, waits for
 * PX, daily budget, checkpoint and `resume`, rejects file, report and stops. A 404 is a record
 * already gone (counted, not an error); the target's ledger, when there is one, drops every id
 * PX no longer has. `plan` counts and sends nothing. Resolves to the report; rejects with a
 * `LoadError` (its `report` the delete's, once rows were read).
 */
export async function deleteRecords(options: DeleteOptions): Promise<DeleteReport> {
  const startedAt = Date.now();
  const given = resolveDeleteSettings(options);
  const env = options.env ?? process.env;
  const log = new LoadLog(options.onLog);
  log.redact = createRedactor([env.PX_API_KEY]);
  const cleanups: Array<() => Promise<unknown>> = [];
  const loadOptions = asLoadOptions(options, given.type);
  try {
    const { config, secrets } = await prepareConfig(loadOptions, given, env, log);
    for (const warning of config.warnings) log.warn(warning);
    if (!given.plan) requireKey(config, loadOptions);
    const column = keyColumnOf(config, given.type);
    const keys = keySteps(given.type, config, column);
    const { input, settings } = await openTheInput(options, given);
    // The cap, before any request: the whole input's distinct ids.
    const counted = await countIds(input, settings, keys, options.signal);
    const inputName = input.path ?? input.name;
    if (counted.ids.size > settings.maxDeletes) {
      throw deleteCapExceeded(counted.ids.size, settings.maxDeletes, inputName);
    }
    const report = (fields: Partial<DeleteReportFields>) =>
      buildDeleteReport({
        settings,
        config,
        input: inputName,
        counted,
        stats: undefined,
        sink: undefined,
        budget: undefined,
        startedAt,
        finishedAt: Date.now(),
        rejectsFile: null,
        error: undefined,
        interrupted: options.signal?.aborted === true,
        aborted: false,
        complete: false,
        checkpoint: null,
        resumedAtRow: null,
        repeatedIds: null,
        ledger: undefined,
        warnings: log.warnings,
        redact: log.redact,
        ...fields,
      });
    if (settings.plan || options.signal?.aborted) {
      const planned = report({ complete: settings.plan });
      if (settings.report) await writeReport(settings.report, planned, log.redact);
      return planned;
    }
    log.info(deletingLine(settings, config.baseUrl, counted));
    const checkpoint = await planResume(configForHash(config, settings, column), settings, input);
    const outputs = await openOutputs({ options: loadOptions, settings, config, input, checkpoint, log });
    cleanups.push(() => outputs.close());
    const budget = await openDailyBudget(settings, config, env, log);
    if (budget) cleanups.push(() => budget.close());
    const waits = new PxWaits(log, () => budget?.today);
    await preflight(config, settings, log, { requestBudget: budget, onWait: waits.onWait });
    const ledger = await openRunLedger(settings, config, env);
    if (ledger) cleanups.push(() => ledger.close());
    const forgotten: ForgetFigures | undefined = ledger ? { path: ledger.dir, forgotten: 0 } : undefined;
    const result = await runDeletePass({
      config,
      settings,
      options: loadOptions,
      input,
      keys,
      checkpoint,
      rejects: outputs.rejects,
      onRejectsError: (handler) => {
        outputs.onRejectsError = handler;
      },
      log,
      secrets,
      ledger,
      forgotten,
      budget,
      waits,
    });
    const closed = await outputs.close();
    result.error ??= closed.error;
    await ledger?.flush().catch((error: unknown) => (result.error ??= error));
    const done = report({
      ...passFields(result),
      budget,
      rejectsFile: closed.file,
      checkpoint: result.resumable ? (checkpoint.path ?? null) : null,
      resumedAtRow: checkpoint.from ? (checkpoint.from.position?.index ?? 0) : null,
      ledger: forgotten,
    });
    if (settings.report) await writeReport(settings.report, done, log.redact);
    if (result.error && !(result.interrupted && result.aborted)) throw withReport(result.error, done);
    return done;
  } catch (error) {
    // Messages of errors raised deep down may quote an answer or a path: never the key.
    throw redactError(asLoadError(error), log.redact) as unknown as LoadError<DeleteReport>;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

/** The input's ids; a stop while counting them counts none (and the run ends interrupted). */
async function countIds(
  input: OpenedInput,
  settings: DeleteSettings,
  keys: KeySteps,
  signal: AbortSignal | undefined,
): Promise<InputIds> {
  try {
    return await readInputIds(input, settings.format, keys, signal);
  } catch (error) {
    if (!signal?.aborted) throw error;
    return { ids: new IdFingerprints().seal(), rows: 0, withoutId: 0, unparsable: 0 };
  }
}

/** What the pass says of itself, in the report's fields. */
function passFields(result: PassResult): Partial<DeleteReportFields> {
  return {
    stats: result.stats,
    sink: result.sinkFigures(),
    error: result.error,
    interrupted: result.interrupted,
    aborted: result.aborted,
    complete: result.complete,
    repeatedIds: result.repeatedIds,
  };
}

/**
 * The options the load's parts read, from a delete's: its callbacks in a load's terms, the
 * rest as given (a delete never inserts, maps more than the key, nor dry-runs).
 */
function asLoadOptions(options: DeleteOptions, type: DeleteSettings['type']): LoadOptions {
  const {
    onProgress,
    onRow,
    type: _type,
    hard: _hard,
    cascade: _cascade,
    maxDeletes: _max,
    ...shared
  } = options;
  return {
    ...shared,
    plan: false,
    type,
    ...(onProgress ? { onProgress: (progress) => onProgress(deleteProgressOf(progress)) } : {}),
    ...(onRow ? { onRow: (event) => onRow(deleteRowEventOf(event)) } : {}),
  };
}

/**
 * Opens the input so that it can be read twice (the count, then the deletes), decides its
 * format, and names the delete's own files.
 */
async function openTheInput(
  options: DeleteOptions,
  given: ReturnType<typeof resolveDeleteSettings>,
): Promise<{ input: OpenedInput; settings: DeleteSettings }> {
  const input = readableTwice(await openInput(options.input, given.cwd, options.inputName));
  const head = await input.head(HEAD_BYTES);
  const format = input.kind === 'objects' ? 'objects' : (given.format ?? sniffFormat(head));
  return { input, settings: defaultFiles({ ...given, format }, input) };
}

/** The first thing a delete that sends says: what, where, how many. */
function deletingLine(settings: DeleteSettings, baseUrl: string, counted: InputIds): string {
  const what =
    settings.type === 'USER'
      ? settings.hard
        ? 'users (hard delete)'
        : 'users (soft delete)'
      : 'accounts and their users';
  return `deleting ${counted.ids.size} ${what} at ${baseUrl}`;
}

/** The error of a run that started, with its report. */
function withReport(error: unknown, report: DeleteReport): LoadError<DeleteReport> {
  const failure = asLoadError(error) as unknown as LoadError<DeleteReport>;
  failure.report ??= report;
  return failure;
}
