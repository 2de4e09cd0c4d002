import { unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { HEAD_BYTES } from '@pxstream/checkpoint';
import {
  checkBaseUrl,
  checkMappedAttributes,
  loadConfig,
  type PxConfig,
  parseConfig,
  requireApiKey,
} from '@pxstream/config';
import { createRedactor, errorMessage, isPxStreamError } from '@pxstream/core';
import {
  type LedgerFigures,
  newLedgerFigures,
  newPlanCounts,
  type PlanCounts,
  RECORDED_EARLIER,
  recordedKeyReason,
} from '@pxstream/ledger';
import { openRejectsWriter, type RejectsWriter } from '@pxstream/sink-errors';
import { dryRunThreads, runParallelDryRun } from '../../dry-run/parallel.js';
import { asLoadError, LoadError, loadError } from '../../errors.js';
import type { InputFormat, LoadOptions } from '../../options.js';
import { buildReport, type LoadReport } from '../../report.js';
import { checkOutputPaths, checkWritable, writeReport } from '../../run/files.js';
import { type OpenedInput, openInput } from '../../run/input.js';
import { LoadLog } from '../../run/log.js';
import { preflight, startEmbeddedEmulator } from '../../run/px-setup.js';
import { noRejectsFile } from '../../run/rejects.js';
import { buildRowStages } from '../../run/stages.js';
import { type RunSettings, resolveSettings, type SourceFormat, sniffFormat } from '../../settings.js';
import { planResume, type RunCheckpoint } from './checkpoint-setup.js';
import { eventRules, openRunLedger } from './ledger-setup.js';
import { type PassContext, type PassResult, runPass } from './pass.js';
import { runStrictCheck } from './strict.js';

/**
 * Runs one load from start to end and resolves to its report. Rejects with a `LoadError`
 * (a `PxStreamError` with a stable `code`) on anything fatal: options, config, credentials,
 * base URL, unreadable input, a header that does not match, PX's daily quota. A rejection
 * after rows were read carries the report as it ended (`error.report`). Per-row problems never
 * reject: they are counted, written to the rejects file and given to `onRow`.
 */
export async function load(options: LoadOptions): Promise<LoadReport> {
  const startedAt = Date.now();
  const given = resolveSettings(options);
  const env = options.env ?? process.env;
  const log = new LoadLog(options.onLog);
  log.redact = createRedactor([env.PX_API_KEY]);
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const config = await readConfig(options, given, env);
    const secrets = [config.apiKey, env.PX_API_KEY];
    log.redact = createRedactor(secrets);
    applyOverrides(config, options);
    if (given.emulator) {
      const emulator = await startEmbeddedEmulator(config);
      cleanups.push(() => emulator.close());
    }
    // The first thing a real load says: where the rows go (never with the key).
    if (!given.dryRun) log.info(targetLine(config, given));
    for (const warning of config.warnings) log.warn(warning);
    if (!given.dryRun) requireKey(config, options);
    const input = await openInput(options.input, given.cwd, options.inputName);
    const head = await input.head(HEAD_BYTES);
    const settings: RunSettings = { ...given, format: sourceFormat(given.format, input, head) };
    const checkpoint = await planResume(config, settings, input);
    if (checkpoint.empty) log.warn(`${input.path ? input.name : input.name} is empty: no rows to load`);
    const rejectsPath = rejectsFilePath(settings, input, checkpoint, log);
    await checkOutputPaths(
      [
        { what: 'the input', path: input.path },
        { what: 'the config', path: typeof options.config === 'string' ? config.path : undefined },
      ],
      [
        { what: 'the rejects file', path: rejectsPath },
        { what: 'the report', path: settings.report },
        { what: 'the checkpoint', path: checkpoint.path },
      ],
    );
    // Opened before any request: an unwritable rejects file stops the load before sending.
    let onRejectsError: (error: unknown) => void = () => {};
    const rejects = rejectsPath
      ? await openRejectsWriter({
          path: rejectsPath,
          format: settings.format === 'csv' ? 'csv' : 'jsonl',
          redact: log.redact,
          // A write failing mid-run (disk full) stops the load: no row may end unrecorded.
          onError: (error) => onRejectsError(error),
          ...(checkpoint.from ? { resume: { bytes: checkpoint.from.rejects.bytes } } : {}),
        })
      : noRejectsFile();
    cleanups.push(async () => {
      await rejects.close().catch(() => {});
      if (rejectsPath) await keepOrRemoveRejects(rejects, rejectsPath);
    });
    // Like the rejects file: a report that cannot be written stops the load before sending.
    if (settings.report) await checkWritable(settings.report, 'report');
    if (checkpoint.from) log.info(resumeLine(checkpoint));
    // A plan types custom attributes as a real load would (PX's metadata), so hashes compare.
    const metadata = await preflight(
      config,
      { ...settings, dryRun: settings.plan ? config.apiKey === undefined : settings.dryRun },
      log,
    );
    const ledger = await openRunLedger(settings, config, env);
    if (ledger) cleanups.push(() => ledger.close());
    const ledgerFigures = ledger ? newLedgerFigures(ledger) : undefined;
    const planCounts = settings.plan ? newPlanCounts() : undefined;
    if (metadata) {
      const { warnings } = checkMappedAttributes(
        settings.type,
        config.fieldMapping[settings.type] ?? {},
        metadata,
      );
      for (const warning of warnings) log.warn(warning);
      // Gainsight's --strict: a mapping PX cannot take stops the load before anything is sent.
      if (settings.strict && warnings.length > 0) {
        throw loadError('STRICT_REJECTED', `--strict: ${warnings.length} mapped attribute(s) PX cannot take`);
      }
    }
    const stages = buildRowStages(settings.type, config, metadata);
    if (settings.strict) await runStrictCheck({ input, settings, stages, log });
    const passContext: PassContext = {
      config,
      metadata,
      secrets,
      ledger,
      ledgerFigures,
      planCounts,
      settings,
      options,
      input,
      stages,
      rejects,
      log,
      redact: log.redact,
      checkpoint,
      onRejectsError: (handler) => {
        onRejectsError = handler;
      },
    };
    const threads = dryRunThreads(passContext);
    const result = threads > 0 ? await runParallelDryRun(passContext, threads) : await runPass(passContext);
    const finishedAt = Date.now();
    try {
      await rejects.close();
    } catch (error) {
      result.error ??= error;
    }
    const rejectsFile = rejectsPath ? await keepOrRemoveRejects(rejects, rejectsPath) : null;
    // Every confirmation of this load on disk before it reports (a failure here is fatal).
    try {
      await ledger?.flush();
    } catch (error) {
      result.error ??= error;
    }
    if (planCounts) {
      planCounts.invalid = result.stats.rejected;
      planCounts.repeatedIds = result.repeatedIds ?? 0;
    }
    if (ledgerFigures && !settings.plan) sayLedger(ledgerFigures, eventRules(settings, config), log);
    if (result.complete && result.stats.read === 0 && (settings.startRow ?? 0) > 0 && !checkpoint.from) {
      log.warn(`no row loaded: the input has no data row at or after --start-row ${settings.startRow}`);
    }
    // A run that failed says why instead (a partial count; a dry run whose reader went away is quiet).
    if (result.repeatedIds && !result.error) log.info(repeatedLine(result.repeatedIds, settings.dryRun));
    const hint = noMatchHint(result, settings);
    if (hint) log.warn(hint);
    const report = finalReport({
      result,
      settings,
      config,
      input,
      checkpoint,
      log,
      startedAt,
      finishedAt,
      rejectsFile,
      ledger: ledgerFigures ?? null,
      planCounts: planCounts ?? null,
    });
    if (settings.report) await writeReport(settings.report, report, log.redact);
    if (result.error && !(result.interrupted && result.aborted)) throw asLoadError(result.error, report);
    return report;
  } catch (error) {
    throw redacted(asLoadError(error), log.redact);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

async function readConfig(
  options: LoadOptions,
  settings: Pick<RunSettings, 'cwd' | 'type'>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<PxConfig> {
  const { config } = options;
  if (typeof config === 'string')
    return loadConfig(resolve(settings.cwd, config), { env, type: settings.type });
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw loadError('LOAD_INVALID_OPTION', 'config must be the path of a config file or a config object');
  }
  return parseConfig(JSON.stringify(config), { env, type: settings.type, path: 'the config object' });
}

function requireKey(config: PxConfig, options: LoadOptions): void {
  try {
    requireApiKey(config);
  } catch (error) {
    const where = typeof options.config === 'string' ? options.config : 'the config';
    throw new LoadError(
      'CONFIG_MISSING_API_KEY',
      `no API key: set "apiKey" in ${where} or PX_API_KEY, or try --dry-run or --emulator`,
      { cause: error },
    );
  }
}

function applyOverrides(config: PxConfig, options: LoadOptions): void {
  if (options.baseUrl !== undefined) {
    try {
      config.baseUrl = checkBaseUrl(options.baseUrl, '--base-url', '--base-url');
    } catch (error) {
      throw loadError('LOAD_INVALID_OPTION', errorMessage(error), error);
    }
  }
  if (options.rate !== undefined) {
    if (!(typeof options.rate === 'number' && Number.isFinite(options.rate) && options.rate > 0)) {
      throw loadError('LOAD_INVALID_OPTION', `rate must be a number > 0, got ${options.rate}`);
    }
    config.rate = options.rate;
  }
  if (options.concurrency !== undefined) {
    if (!(Number.isSafeInteger(options.concurrency) && options.concurrency > 0)) {
      throw loadError(
        'LOAD_INVALID_OPTION',
        `concurrency takes a whole number > 0, got ${options.concurrency}`,
      );
    }
    config.concurrency = options.concurrency;
  }
}

/** What the ledger did, in a line or two. */
function sayLedger(
  figures: LedgerFigures,
  rules: { eventKey: string | undefined; retentionDays: number },
  log: LoadLog,
): void {
  if (figures.unchanged > 0) {
    log.info(`${figures.unchanged} rows unchanged since PX last confirmed them: skipped (--changed-only)`);
  }
  if (figures.expired > 0) {
    log.info(
      `${figures.expired} events recorded more than ${rules.retentionDays} days ago were forgotten by the ledger (its retention window)`,
    );
  }
  if (figures.alreadySent > 0) {
    log.info(
      `${figures.alreadySent} events ${RECORDED_EARLIER}: not sent again (--no-ledger sends them anyway)`,
    );
  }
  if (figures.alreadyByKey > 0) {
    log.info(`${figures.alreadyByKey} events ${recordedKeyReason(rules.eventKey)}: not sent again`);
  }
  if (figures.inDoubt > 0) {
    log.warn(
      `${figures.inDoubt} events were sent by an earlier run that stopped before PX answered: not sent again, ` +
        'in the rejects file as PX_EVENT_MAYBE_RECORDED (check PX for them)',
    );
  }
}

function repeatedLine(ids: number, dryRun: boolean): string {
  const which = ids === 1 ? '1 id was' : `${ids} ids were`;
  return dryRun
    ? `${which} on more than one row: a load applies their rows in file order, so the last row of each wins`
    : `${which} on more than one row: their rows were applied in file order, so the last row of each won`;
}

/** What the rows are read as: objects, the format asked for or named, or what the first bytes say. */
function sourceFormat(given: InputFormat | undefined, input: OpenedInput, head: Buffer): SourceFormat {
  if (input.kind === 'objects') return 'objects';
  return given ?? sniffFormat(head);
}

function targetLine(config: PxConfig, settings: Pick<RunSettings, 'emulator' | 'type'>): string {
  const where = settings.emulator ? `the embedded PX emulator at ${config.baseUrl}` : config.baseUrl;
  const products = config.productKeys.length > 0 ? `, product ${config.productKeys.join(', ')}` : '';
  return `loading ${settings.type} into ${where}${products}`;
}

/**
 * Every row PX was asked about was skipped as "no match" (update mode): the ids are not in
 * PX. Said once at the end, with the flag that creates them where there is one.
 */
function noMatchHint(result: PassResult, settings: RunSettings): string | undefined {
  const stats = result.stats;
  const noMatch = stats.skippedByReason.get('no match') ?? 0;
  if (settings.dryRun || noMatch === 0 || stats.updated + stats.inserted > 0) return undefined;
  const what = settings.type === 'ACCOUNT' ? 'accounts' : 'users';
  const fix =
    settings.type === 'USER_PREFERENCES'
      ? 'preferences apply only to users PX already has: load the users first'
      : '--insert-missing (insertMissing) creates them';
  return `none of the ${noMatch} ${what} was found in PX: every row was skipped as "no match"; ${fix}`;
}

function rejectsFilePath(settings: RunSettings, input: OpenedInput, checkpoint: RunCheckpoint, log: LoadLog) {
  if (settings.rejects === false) return undefined;
  const extension = settings.format === 'csv' ? 'csv' : 'jsonl';
  const chosen =
    settings.rejects ?? resolve(settings.cwd, `${input.path ? input.name : 'pxstream'}_rejects.${extension}`);
  const earlier = checkpoint.from?.rejects.path;
  if (earlier === undefined || earlier === chosen) return chosen;
  log.warn(`--resume: appending to the rejects file of the interrupted run, ${earlier}`);
  return earlier;
}

function resumeLine(checkpoint: RunCheckpoint): string {
  const position = checkpoint.from?.position;
  const done = checkpoint.from?.counters.read ?? 0;
  return position
    ? `resuming at row ${position.index} (line ${position.line}): ${done} rows were finished before`
    : 'resuming from the first row: no row was finished before';
}

function finalReport(run: {
  result: PassResult;
  settings: RunSettings;
  config: PxConfig;
  input: OpenedInput;
  checkpoint: RunCheckpoint;
  log: LoadLog;
  startedAt: number;
  finishedAt: number;
  rejectsFile: string | null;
  ledger: LedgerFigures | null;
  planCounts: PlanCounts | null;
}): LoadReport {
  const { result, settings, config, input, checkpoint } = run;
  const error = result.error;
  return buildReport({
    stats: result.stats,
    sink: result.sinkFigures(),
    type: settings.type,
    input: input.path ?? input.name,
    insertMissing: settings.insertMissing,
    dryRun: settings.dryRun,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    rejectsFile: run.rejectsFile,
    error: error ? { code: errorCode(error), message: run.log.redact(errorMessage(error)) } : null,
    aborted: result.aborted,
    interrupted: result.interrupted,
    complete: result.complete,
    checkpoint: result.resumable ? (checkpoint.path ?? null) : null,
    resumedAtRow: checkpoint.from ? (checkpoint.from.position?.index ?? 0) : null,
    target: settings.dryRun ? null : { baseUrl: config.baseUrl, productKeys: [...config.productKeys] },
    repeatedIds: result.repeatedIds,
    plan: run.planCounts,
    ledger: run.ledger,
    warnings: run.log.warnings,
  });
}

async function keepOrRemoveRejects(rejects: RejectsWriter, path: string): Promise<string | null> {
  if (rejects.count > 0) return path;
  if (rejects.createdEmpty) await unlink(path).catch(() => {});
  return rejects.createdEmpty ? null : path;
}

function errorCode(error: unknown): string {
  return isPxStreamError(error) ? error.code : 'INTERNAL';
}

/** Messages of errors raised deep down may quote an answer or a path: never the key. */
function redacted(error: LoadError, redact: (text: string) => string): LoadError {
  const message = redact(error.message);
  if (message !== error.message) Object.defineProperty(error, 'message', { value: message });
  return error;
}
