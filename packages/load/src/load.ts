import { unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  checkBaseUrl,
  checkMappedAttributes,
  loadConfig,
  type PxConfig,
  requireApiKey,
} from '@pxstream/config';
import {
  createRedactor,
  errorMessage,
  isPxStreamError,
  type Rejection,
  type RowOutcome,
} from '@pxstream/core';
import { openRejectsWriter, type RejectsWriter } from '@pxstream/sink-errors';
import { CliError, EXIT } from './exit-codes.js';
import { type OpenedInput, openInput } from './input.js';
import type { CliIO } from './io.js';
import { createLogger, type Logger } from './logger.js';
import type { LoadOptions } from './options.js';
import { checkOutputPaths } from './outputs.js';
import { fetchMetadata, startEmbeddedEmulator } from './px-setup.js';
import { buildReport, checkWritable, doneLine, writeReport } from './report.js';
import { planResume, type ResumePlan } from './resume.js';
import { runPass } from './run-pass.js';
import { buildRowStages } from './stages.js';
import { runStrictCheck } from './strict.js';

/** Runs one load from start to end; returns the exit code. Never throws for expected failures. */
export async function runLoad(options: LoadOptions, io: CliIO): Promise<number> {
  const startedAt = Date.now();
  let redact = createRedactor([io.env.PX_API_KEY]);
  const log = createLogger(io, options, () => redact);
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const config = await loadConfig(resolve(io.cwd, options.configPath), { env: io.env, type: options.type });
    redact = createRedactor([config.apiKey, io.env.PX_API_KEY]);
    for (const warning of config.warnings) log.warn(warning);
    applyOverrides(config, options);
    if (options.emulator) {
      const emulator = await startEmbeddedEmulator(config, options.type);
      cleanups.push(() => emulator.close());
      log.info(`embedded PX emulator at ${emulator.baseUrl}`);
    }
    if (!options.dryRun) {
      try {
        requireApiKey(config);
      } catch {
        throw new CliError(
          `no API key: set "apiKey" in ${options.configPath} or PX_API_KEY, or try --dry-run or --emulator`,
          EXIT.FATAL,
        );
      }
    }
    if (options.input === undefined && !options.stdinDash && io.stdin.isTTY) {
      throw new CliError(
        'no input: give a file, or pipe the data in (cat users.csv | pxstream ...); "-" reads the terminal',
        EXIT.USAGE,
      );
    }
    const input = await openInput(options.input, io.cwd, io.stdin);
    const plan = await planResume(config, options, input, io.cwd);
    if (plan.empty) log.warn(`${input.path ? input.name : 'stdin'} is empty: no rows to load`);
    const rejectsPath = rejectsFilePath(options, input, io.cwd, plan, log);
    await checkOutputPaths(
      [
        { what: 'the input', path: input.path },
        { what: 'the config', path: resolve(io.cwd, options.configPath) },
      ],
      [
        { what: 'the rejects file', path: rejectsPath },
        { what: 'the report', path: options.reportPath && resolve(io.cwd, options.reportPath) },
        { what: 'the checkpoint', path: plan.path },
      ],
    );
    // Opened before any request: an unwritable rejects file stops the run before sending.
    let onRejectsError: ((error: unknown) => void) | undefined;
    const rejects = await openRejectsWriter({
      path: rejectsPath,
      format: options.format,
      redact,
      // A write failing mid-run (disk full) stops the run: no row may end unrecorded.
      onError: (error) => onRejectsError?.(error),
      ...(plan.from ? { resume: { bytes: plan.from.rejects.bytes } } : {}),
    });
    cleanups.push(async () => {
      await rejects.close().catch(() => {});
      await keepOrRemoveRejects(rejects, rejectsPath);
    });
    // Like the rejects file: a report that cannot be written stops the run before sending.
    if (options.reportPath) await checkWritable(resolve(io.cwd, options.reportPath), 'report');
    if (plan.from) log.info(resumeLine(plan));
    const metadata = await fetchMetadata(config, options, log);
    if (metadata) {
      const { warnings } = checkMappedAttributes(
        options.type,
        config.fieldMapping[options.type] ?? {},
        metadata,
      );
      for (const warning of warnings) log.warn(warning);
      // Gainsight's --strict: a mapping PX cannot take stops the run before anything is sent.
      if (options.strict && warnings.length > 0) {
        throw new CliError(
          `--strict: ${warnings.length} mapped attribute(s) PX cannot take (see above)`,
          EXIT.FATAL,
        );
      }
    }
    const stages = buildRowStages(options.type, config, metadata);
    if (options.strict) await runStrictCheck({ input, options, stages, log, cleanups });
    const result = await runPass({
      config,
      options,
      io,
      input,
      stages,
      rejects,
      log,
      redact: () => redact,
      plan,
      onRejectsError: (handler) => {
        onRejectsError = handler;
      },
    });
    const finishedAt = Date.now();
    try {
      await rejects.close();
    } catch (error) {
      result.error ??= error;
    }
    const rejectsFile = await keepOrRemoveRejects(rejects, rejectsPath);
    const { stats } = result;
    // A second Ctrl-C aborts the requests in flight: still an interruption, not a failure.
    const interruptedAbort =
      result.interrupted && isPxStreamError(result.error) && result.error.code === 'PIPELINE_ABORTED';
    const exitCode = interruptedAbort
      ? EXIT.INTERRUPTED
      : result.error
        ? EXIT.FATAL
        : result.interrupted
          ? EXIT.INTERRUPTED
          : stats.rejected > 0
            ? EXIT.REJECTED
            : EXIT.OK;
    if (result.error && !interruptedAbort) log.fatal(errorMessage(result.error));
    summarize(io, options, log, stats, rejectsFile);
    if (result.complete && stats.read === 0 && (options.startRow ?? 0) > 0 && !plan.from) {
      log.warn(`no row loaded: the input has no data row at or after --start-row ${options.startRow}`);
    }
    if (!result.complete) {
      const advice = resumeAdvice(result.error, result.resumable ? plan.path : undefined);
      if (advice) log.info(advice);
    }
    if (options.reportPath) {
      const report = buildReport({
        stats,
        sink: result.sinkFigures(),
        type: options.type,
        input: input.path ?? 'stdin',
        insertMissing: options.insertMissing,
        dryRun: options.dryRun,
        startedAt,
        finishedAt,
        rejectsFile,
        exitCode,
        error: result.error ? { code: errorCode(result.error), message: errorMessage(result.error) } : null,
        interrupted: result.interrupted,
        resumedAtRow: plan.from ? (plan.from.position?.index ?? 0) : null,
      });
      await writeReport(resolve(io.cwd, options.reportPath), report, redact);
    }
    return exitCode;
  } catch (error) {
    if (error instanceof CliError) {
      if (error.message) log.fatal(error.message);
      return error.exitCode;
    }
    log.fatal(errorMessage(error));
    return EXIT.FATAL;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

function rejectsFilePath(
  options: LoadOptions,
  input: OpenedInput,
  cwd: string,
  plan: ResumePlan,
  log: Logger,
): string {
  const extension = options.format === 'csv' ? 'csv' : 'jsonl';
  const chosen = resolve(
    cwd,
    options.errorsPath ?? `${input.path ? input.name : 'pxstream'}_rejects.${extension}`,
  );
  const earlier = plan.from?.rejects.path;
  if (earlier === undefined || earlier === chosen) return chosen;
  log.warn(`--resume: appending to the rejects file of the interrupted run, ${earlier}`);
  return earlier;
}

function resumeLine(plan: ResumePlan): string {
  const position = plan.from?.position;
  const done = plan.from?.counters.read ?? 0;
  return position
    ? `resuming at row ${position.index} (line ${position.line}): ${done} rows were finished before`
    : 'resuming from the first row: no row was finished before';
}

/**
 * What to do after a run that did not reach the end: with a checkpoint, resume; without one
 * (nothing was read), run the same command again once the cause is fixed.
 */
function resumeAdvice(error: unknown, checkpoint: string | undefined): string | undefined {
  const again = checkpoint
    ? `run the same command with --resume to carry on (checkpoint: ${checkpoint})`
    : 'run the same command again';
  if (isPxStreamError(error) && error.code === 'PX_DAILY_QUOTA') {
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const minutes = Math.ceil((midnight - now.getTime()) / 60_000);
    return `PX's daily request quota is spent; it resets at 00:00 UTC (in ${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m): then ${again}`;
  }
  return checkpoint ? again : undefined;
}

function applyOverrides(config: PxConfig, options: LoadOptions): void {
  if (options.baseUrl !== undefined) {
    try {
      config.baseUrl = checkBaseUrl(options.baseUrl, '--base-url', '--base-url');
    } catch (error) {
      throw new CliError(errorMessage(error), EXIT.USAGE);
    }
  }
  if (options.rate !== undefined) config.rate = options.rate;
  if (options.concurrency !== undefined) config.concurrency = options.concurrency;
}

async function keepOrRemoveRejects(rejects: RejectsWriter, path: string): Promise<string | null> {
  if (rejects.count > 0) return path;
  if (rejects.createdEmpty) await unlink(path).catch(() => {});
  return rejects.createdEmpty ? null : path;
}

function summarize(
  io: CliIO,
  options: LoadOptions,
  log: Logger,
  stats: import('@pxstream/core').RunStats,
  rejectsFile: string | null,
): void {
  if (options.quiet) return;
  // In dry run stdout carries the JSON lines, so the summary goes to stderr.
  const out = options.dryRun ? io.stderr : io.stdout;
  if (options.dryRun) log.info(`dry run: ${stats.dryRun} bodies printed, nothing sent`);
  if (stats.notSent > 0 && !options.dryRun) {
    log.info(`${stats.notSent} rows read but not sent (the run stopped early)`);
  }
  if (stats.rejected > 0 && rejectsFile)
    log.info(`${stats.rejected} rejected rows written to ${rejectsFile}`);
  out.write(`${doneLine(stats)}\n`);
}

function errorCode(error: unknown): string {
  if (isPxStreamError(error)) return error.code;
  if (error instanceof CliError) return 'CLI_ERROR';
  return 'INTERNAL';
}

export type { Rejection, RejectsWriter, RowOutcome };
