import { resolve } from 'node:path';
import { createRedactor, errorMessage, isPxStreamError, type Rejection } from '@pxstream/core';
import { LoadError, type LoadReport, load, type RowEvent } from '@pxstream/load';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIO } from './io.js';
import { addCommandFields, exitCodeOf, inFlagWords, USAGE_ERROR_CODES } from './library-words.js';
import { createLogger, type Logger } from './logger.js';
import type { CliLoadOptions } from './options.js';
import { runConsole } from './run-console.js';
import { summarize } from './summary.js';

/** How many rejections are echoed on stderr without --verbose (the rest are in the file). */
const ECHOED_REJECTIONS = 5;

/**
 * The load command: hands the options to `load()` and prints what it reports. Returns the exit
 * code; never throws for expected failures.
 */
export async function runLoad(options: CliLoadOptions, io: CliIO): Promise<number> {
  const log = createLogger(io, options, () => createRedactor([io.env.PX_API_KEY]));
  if (options.input === undefined && !options.stdinDash && io.stdin.isTTY) {
    log.fatal(
      'no input: give a file, or pipe the data in (cat users.csv | pxstream ...); "-" reads the terminal',
    );
    return EXIT.USAGE;
  }
  const run = runConsole(io, log, {
    quiet: options.quiet,
    verbose: options.verbose,
    progressIntervalS: options.progressIntervalS,
    textLog: options.logFormat === 'text',
  });
  const { progressLine, progressLog } = run;
  // The mirror's deletes PX refused are rows in error too (exit 3).
  const exitCode = (report: LoadReport) =>
    run.exitFor(exitCodeOf({ ...report, rejected: report.rejected + (report.mirror?.rejected ?? 0) }));
  try {
    const report = await load({
      config: options.configPath,
      type: options.type,
      input: options.input ?? io.stdin,
      inputName: 'stdin',
      ...(options.format ? { format: options.format } : {}),
      insertMissing: options.insertMissing,
      dryRun: options.dryRun,
      ...(options.dryRun ? { output: io.stdout } : {}),
      strict: options.strict,
      startRow: options.startRow,
      lastRow: options.lastRow,
      rate: options.rate,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      baseUrl: options.baseUrl,
      emulator: options.emulator,
      // The command's files by default; the library writes none unless asked.
      rejects: options.errorsPath ?? true,
      report: options.reportPath,
      checkpoint: options.checkpointPath ?? true,
      resume: options.resume,
      changedOnly: options.changedOnly,
      fullResync: options.fullResync,
      plan: options.plan,
      ...(options.planFile !== undefined ? { planFile: options.planFile } : {}),
      wait: options.wait,
      ...(options.dailyBudget !== undefined ? { dailyBudget: options.dailyBudget } : {}),
      ...(options.deleteMissing ? { deleteMissing: true } : {}),
      ...(options.maxDeletes !== undefined ? { maxDeletes: options.maxDeletes } : {}),
      ...(options.ledger !== undefined ? { ledger: options.ledger } : {}),
      ...(options.eventKey !== undefined ? { eventKey: options.eventKey } : {}),
      ...(options.eventRetentionDays !== undefined ? { eventRetentionDays: options.eventRetentionDays } : {}),
      signal: run.signal,
      forceSignal: run.forceSignal,
      ...(progressLine ? { onProgress: progressLine.update } : {}),
      ...(progressLog ? { onProgress: progressLog.update, progressIntervalMs: progressLog.sampleMs } : {}),
      // Without --verbose only rejections are printed: a dry run may then use threads.
      ...(log.isVerbose ? { onRow: rowPrinter(log) } : { onRejection: rejectionPrinter(log) }),
      onLog: run.onLog,
      env: io.env,
      cwd: io.cwd,
    });
    progressLine?.clear();
    return await ended(io, options, log, report, exitCode(report));
  } catch (error) {
    progressLine?.clear();
    const code = isPxStreamError(error) ? error.code : undefined;
    const message = inFlagWords(errorMessage(error));
    // A dry run whose reader went away (`| head`) ends quietly, as Unix tools do.
    if (error instanceof LoadError && error.code === 'OUTPUT_CLOSED') return EXIT.OK;
    if (error instanceof LoadError && USAGE_ERROR_CODES.has(error.code)) {
      log.fatal(message, code);
      usageHint(io, log);
      return EXIT.USAGE;
    }
    const report = error instanceof LoadError ? error.report : undefined;
    if (!report || exitCodeOf(report) !== EXIT.INTERRUPTED) log.fatal(withHint(message, code), code);
    if (!report) return EXIT.FATAL;
    return await ended(io, options, log, report, exitCode(report));
  } finally {
    run.close();
  }
}

/** `Run pxstream --help for usage.` after a usage error: a line of its own, or a JSON note. */
export function usageHint(io: CliIO, log: Logger): void {
  if (log.format === 'json') log.info('run pxstream --help for usage', 'USAGE');
  else io.stderr.write('Run pxstream --help for usage.\n');
}

/** A fatal message and what the command adds to it: the flag that fixes it. */
function withHint(message: string, code: string | undefined): string {
  if (code === 'CONFIG_FILE_NOT_FOUND') return `${message}: name your config file with -c <file>`;
  return message;
}

/** A load that ran: its report file completed, its summary printed, its exit code. */
async function ended(
  io: CliIO,
  options: CliLoadOptions,
  log: Logger,
  report: LoadReport,
  code: ExitCode,
): Promise<number> {
  if (options.reportPath !== undefined) {
    await addCommandFields(resolve(io.cwd, options.reportPath), code).catch((error: unknown) => {
      log.fatal(`cannot write the report ${options.reportPath}: ${errorMessage(error)}`);
    });
  }
  summarize(io, options, log, report);
  return code;
}

/** Verbose: a line per row, outcome or rejection. */
function rowPrinter(log: Logger): (event: RowEvent) => void {
  const rejected = rejectionPrinter(log);
  return (event) => {
    if ('rejection' in event) rejected(event.rejection);
    else {
      const o = event.outcome;
      log.verbose(`line ${o.row.line}: ${o.outcome}${o.reason ? ` (${o.reason})` : ''} ${o.row.key ?? ''}`);
    }
  };
}

/** Each rejection when verbose; otherwise the first ones only (all are in the rejects file). */
export function rejectionPrinter(log: Logger): (rejection: Rejection) => void {
  let echoed = 0;
  return (r) => {
    const text = `line ${r.row.line}: rejected [${r.stage} ${r.code}${r.status ? ` ${r.status}` : ''}] ${r.message}`;
    if (log.isVerbose) log.verbose(text, r.code);
    else if (echoed < ECHOED_REJECTIONS) {
      echoed++;
      log.warn(
        echoed === ECHOED_REJECTIONS ? `${text} (further rejections only in the rejects file)` : text,
        r.code,
      );
    }
  };
}
