import { resolve } from 'node:path';
import { createRedactor, errorMessage, type Rejection } from '@pxstream/core';
import { LoadError, type LoadReport, load, type RowEvent } from '@pxstream/load';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';
import { addCommandFields, exitCodeOf, inFlagWords, USAGE_ERROR_CODES } from './library-words.js';
import { createLogger, type Logger } from './logger.js';
import type { CliLoadOptions } from './options.js';
import { formatDuration, ProgressLine } from './progress.js';

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
  const stop = new AbortController();
  const force = new AbortController();
  let interrupts = 0;
  const unsubscribe = io.onInterrupt(() => {
    interrupts++;
    if (interrupts === 1) {
      progress?.clear();
      log.info('interrupted: stopped reading; finishing the rows in flight (Ctrl-C again to abort them)');
      stop.abort();
    } else force.abort();
  });
  const progress =
    io.stderr.isTTY && !options.quiet && !options.verbose ? new ProgressLine(io.stderr) : undefined;
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
      ...(options.ledger !== undefined ? { ledger: options.ledger } : {}),
      ...(options.eventKey !== undefined ? { eventKey: options.eventKey } : {}),
      ...(options.eventRetentionDays !== undefined ? { eventRetentionDays: options.eventRetentionDays } : {}),
      signal: stop.signal,
      forceSignal: force.signal,
      ...(progress ? { onProgress: progress.update } : {}),
      // Without --verbose only rejections are printed: a dry run may then use threads.
      ...(log.isVerbose ? { onRow: rowPrinter(log) } : { onRejection: rejectionPrinter(log) }),
      onLog: (entry) => {
        progress?.clear();
        if (entry.level === 'warn') log.warn(inFlagWords(entry.message));
        else log.info(inFlagWords(entry.message));
      },
      env: io.env,
      cwd: io.cwd,
    });
    progress?.clear();
    return await ended(io, options, log, report);
  } catch (error) {
    progress?.clear();
    const message = inFlagWords(errorMessage(error));
    // A dry run whose reader went away (`| head`) ends quietly, as Unix tools do.
    if (error instanceof LoadError && error.code === 'OUTPUT_CLOSED') return EXIT.OK;
    if (error instanceof LoadError && USAGE_ERROR_CODES.has(error.code)) {
      log.fatal(message);
      io.stderr.write('Run pxstream --help for usage.\n');
      return EXIT.USAGE;
    }
    const report = error instanceof LoadError ? error.report : undefined;
    if (!report || exitCodeOf(report) !== EXIT.INTERRUPTED) log.fatal(message);
    if (!report) return EXIT.FATAL;
    return await ended(io, options, log, report);
  } finally {
    unsubscribe();
  }
}

/** A load that ran: its report file completed, its summary printed, its exit code. */
async function ended(io: CliIO, options: CliLoadOptions, log: Logger, report: LoadReport): Promise<number> {
  const code = exitCodeOf(report);
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
function rejectionPrinter(log: Logger): (rejection: Rejection) => void {
  let echoed = 0;
  return (r) => {
    const text = `line ${r.row.line}: rejected [${r.stage} ${r.code}${r.status ? ` ${r.status}` : ''}] ${r.message}`;
    if (log.isVerbose) log.verbose(text);
    else if (echoed < ECHOED_REJECTIONS) {
      echoed++;
      log.warn(echoed === ECHOED_REJECTIONS ? `${text} (further rejections only in the rejects file)` : text);
    }
  };
}

function summarize(io: CliIO, options: CliLoadOptions, log: Logger, report: LoadReport): void {
  if (!options.quiet) {
    // In a dry run stdout carries the JSON lines, so the summary goes to stderr.
    const out = options.dryRun ? io.stderr : io.stdout;
    const rows = report.rows;
    if (options.dryRun) log.info(`dry run: ${rows.dryRun} bodies printed, nothing sent`);
    if (report.plan) {
      out.write(`${planLine(report)}\n`);
      log.info(figuresLine(report));
      return;
    }
    if (rows.notSent > 0 && !options.dryRun)
      log.info(`${rows.notSent} rows read but not sent (the run stopped early)`);
    if (rows.rejected > 0 && report.rejectsFile)
      log.info(`${rows.rejected} rejected rows written to ${report.rejectsFile}`);
    out.write(`${doneLine(report)}\n`);
    log.info(figuresLine(report));
  }
  if (!report.complete) {
    const advice = resumeAdvice(report);
    if (advice) log.info(advice);
  }
}

/** `--plan`'s line: what a load of this input would do. */
export function planLine(report: LoadReport): string {
  const p = report.plan!;
  if (report.type === 'CUSTOM_EVENT') {
    return `PLAN: ${p.new} new, ${p.unchanged} already sent, ${p.inDoubt} in doubt, ${p.invalid} invalid rows`;
  }
  return `PLAN: ${p.new} new, ${p.changed} changed, ${p.unchanged} unchanged, ${p.repeatedIds} ids on more than one row, ${p.invalid} invalid rows`;
}

/** Gainsight's closing line, kept exactly: `DONE: N updated, N inserted, N skipped, N errors`. */
export function doneLine(report: LoadReport): string {
  return `DONE: ${report.updated} updated, ${report.inserted} inserted, ${report.skipped} skipped, ${report.rejected} errors`;
}

/** The line after DONE: elapsed time, rows/s, requests, retries and 429s. */
export function figuresLine(report: LoadReport): string {
  const seconds = report.durationMs / 1000;
  const elapsed = seconds < 60 ? `${seconds.toFixed(1)} s` : formatDuration(report.durationMs);
  return `${elapsed}, ${report.rowsPerSecond} rows/s, ${report.requests} requests, ${report.retries} retries, ${report.http429} 429s`;
}

/**
 * What to do after a load that did not reach the end: with a checkpoint, resume; without one
 * (nothing was read), run the same command again once the cause is fixed.
 */
function resumeAdvice(report: LoadReport): string | undefined {
  const again = report.checkpoint
    ? `run the same command with --resume to carry on (checkpoint: ${report.checkpoint})`
    : 'run the same command again';
  if (report.error?.code === 'PX_DAILY_QUOTA') {
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    const minutes = Math.ceil((midnight - now.getTime()) / 60_000);
    return `PX's daily request quota is spent; it resets at 00:00 UTC (in ${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m): then ${again}`;
  }
  return report.checkpoint ? again : undefined;
}
