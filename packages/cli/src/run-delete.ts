/**
 * `pxstream delete`: deletes the users or accounts a file names, over `deleteRecords()`. Caps
 * first: more ids than --max-deletes (default 1,000) and nothing is sent. stdout gets one line,
 * `DELETED: N deleted, N already gone, N errors` (`--plan`: what would be deleted); the exit
 * codes, signals, files and progress are a load's.
 */
import { resolve } from 'node:path';
import { createRedactor, errorMessage, isPxStreamError } from '@pxstream/core';
import { type DeleteReport, deleteRecords, LoadError } from '@pxstream/load';
import { deleteCounts, deletedLine } from './delete-lines.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIO } from './io.js';
import { addCommandFields, exitCodeOf, inFlagWords, USAGE_ERROR_CODES } from './library-words.js';
import { createLogger, type Logger } from './logger.js';
import {
  DEFAULT_PROGRESS_INTERVAL_S,
  parseFormat,
  parsePositiveInt,
  parsePositiveNumber,
} from './options.js';
import { failureExit, parseRead, type RawReadOptions, readCommand, readLogger } from './read-commands.js';
import { runConsole } from './run-console.js';
import { rejectionPrinter } from './run-load.js';
import { figuresLine, resumeAdvice } from './summary.js';

const DESCRIPTION = `Delete the users or accounts a file names: the ids in the column the config maps to identifyId (users) or id (accounts), in any input format. Caps first: a file naming more ids than --max-deletes (default 1,000, Gainsight's own limit for self-service clean-ups) is refused before anything is sent. Users are soft-deleted (a user created again within PX's 7 days comes back with its history) unless --hard; deleting an account deletes all its users, so accounts need --cascade. A record PX does not have is already gone: counted, not an error. Custom events and user preferences cannot be deleted.`;

const EXAMPLES = `
Examples:
  pxstream delete -t USER -c px.json --plan churned.csv
  pxstream delete -t USER -c px.json --hard forget-me.csv
  pxstream delete -t ACCOUNT -c px.json --cascade test-accounts.jsonl
  pxstream delete -t USER -c px.json --max-deletes 5000 --resume churned.csv
      continue after Ctrl-C, SIGTERM or --no-wait: each id is deleted once

Exit codes: 0 every id deleted or already gone, 1 fatal error (also a file over --max-deletes: nothing deleted), 2 usage error, 3 finished with errors (see the rejects file), 130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP.`;

interface RawDeleteOptions extends RawReadOptions {
  hard?: boolean;
  cascade?: boolean;
  maxDeletes?: number;
  plan?: boolean;
  format?: string;
  errors?: string;
  report?: string;
  concurrency?: number;
  resume?: boolean;
  checkpoint?: string;
  ledger?: string | false;
  dailyBudget?: number;
  progressInterval?: number;
  verbose?: boolean;
}

export async function runDeleteCommand(argv: string[], io: CliIO): Promise<number> {
  const command = readCommand('delete', DESCRIPTION, EXAMPLES, io, { filter: false })
    .argument('<input>', 'the file of ids (CSV, JSON-lines or a JSON array; gzip too); "-" for stdin')
    .option('--hard', 'users: hardDelete=true (a user created again does not come back with its history)')
    .option('--cascade', 'accounts: required, since PX deletes every user of a deleted account')
    .option(
      '--max-deletes <n>',
      'refuse (nothing deleted) a file naming more distinct ids (default 1000)',
      parsePositiveInt('--max-deletes'),
    )
    .option('--plan', 'count what would be deleted; send nothing')
    .option(
      '-f, --format <format>',
      'input format: csv, jsonl or json; default: from the extension, else the first bytes',
    )
    .option('--errors <file>', 'rejects file (default: <input name>_delete_rejects.csv|.jsonl)')
    .option('--report <file>', 'write a JSON report of the run to this file')
    .option('--concurrency <n>', 'requests in flight at most', parsePositiveNumber('--concurrency'))
    .option('--resume', 'continue where an earlier delete of the same file stopped')
    .option(
      '--checkpoint <file>',
      'checkpoint file (default: beside --report, else <input name>_delete_checkpoint.json)',
    )
    .option('--ledger <dir>', "the target's ledger, which drops the deleted ids (default: one per target)")
    .option('--no-ledger', 'leave the ledger as it is')
    .option(
      '--daily-budget <n>',
      'requests a UTC day to this PX at most, counted across runs; then wait for 00:00 UTC (or stop with --no-wait)',
      parsePositiveInt('--daily-budget'),
    )
    .option(
      '--progress-interval <s>',
      `seconds between progress lines when stderr is not a terminal (default ${DEFAULT_PROGRESS_INTERVAL_S})`,
      parsePositiveNumber('--progress-interval'),
    )
    .option('-v, --verbose', 'log each row as it ends');
  let parsed: ReturnType<typeof parseRead<RawDeleteOptions>>;
  try {
    parsed = parseRead<RawDeleteOptions>(command, argv, false);
    if (parsed.raw.format !== undefined) parseFormat(parsed.raw.format);
  } catch (error) {
    return failureExit(error, readLogger(io, false), io, 'delete');
  }
  const { raw, common } = parsed;
  const input = command.args[0]!;
  const quiet = common.quiet && !raw.verbose;
  const log = createLogger(io, { quiet, verbose: raw.verbose === true }, () =>
    createRedactor([io.env.PX_API_KEY]),
  );
  const run = runConsole(io, log, {
    quiet,
    verbose: log.isVerbose,
    progressIntervalS: raw.progressInterval ?? DEFAULT_PROGRESS_INTERVAL_S,
    textLog: true,
  });
  const { progressLine, progressLog } = run;
  const exitCode = (report: DeleteReport): ExitCode =>
    run.exitFor(exitCodeOf({ ...report, rejected: report.plan ? 0 : report.rejected, plan: null }));
  try {
    const report = await deleteRecords({
      config: common.configPath,
      type: raw.type ?? '',
      input: input === '-' ? io.stdin : input,
      inputName: 'stdin',
      ...(raw.format !== undefined ? { format: parseFormat(raw.format) } : {}),
      hard: raw.hard === true,
      cascade: raw.cascade === true,
      ...(raw.maxDeletes !== undefined ? { maxDeletes: raw.maxDeletes } : {}),
      plan: raw.plan === true,
      baseUrl: common.baseUrl,
      rate: common.rate,
      concurrency: raw.concurrency,
      timeoutMs: common.timeoutMs,
      wait: common.wait,
      ...(raw.dailyBudget !== undefined ? { dailyBudget: raw.dailyBudget } : {}),
      // The command's files by default, as a load's.
      rejects: raw.errors ?? true,
      report: raw.report,
      checkpoint: raw.checkpoint ?? true,
      resume: raw.resume === true,
      ...(raw.ledger !== undefined ? { ledger: raw.ledger } : {}),
      signal: run.signal,
      forceSignal: run.forceSignal,
      ...(progressLine ? { onProgress: progressLine.update } : {}),
      ...(progressLog ? { onProgress: progressLog.update, progressIntervalMs: progressLog.sampleMs } : {}),
      onRejection: rejectionPrinter(log),
      ...(log.isVerbose
        ? {
            onRow: (event) => {
              if ('outcome' in event) {
                const { row, outcome } = event.outcome;
                log.verbose(`line ${row.line}: ${outcome} ${row.key ?? ''}`);
              }
            },
          }
        : {}),
      onLog: run.onLog,
      env: io.env,
      cwd: io.cwd,
    });
    progressLine?.clear();
    return await ended(io, raw, log, report, exitCode(report));
  } catch (error) {
    progressLine?.clear();
    const report = error instanceof LoadError ? (error.report as DeleteReport | undefined) : undefined;
    if (!report || (error instanceof LoadError && USAGE_ERROR_CODES.has(error.code))) {
      return failureExit(error, log, io, 'delete');
    }
    if (exitCodeOf({ ...report, plan: null }) !== EXIT.INTERRUPTED) {
      log.fatal(inFlagWords(errorMessage(error)), isPxStreamError(error) ? error.code : undefined);
    }
    return await ended(io, raw, log, report, exitCode(report));
  } finally {
    run.close();
  }
}

/** A delete that ran: its report file completed, its summary printed, its exit code. */
async function ended(
  io: CliIO,
  raw: RawDeleteOptions,
  log: Logger,
  report: DeleteReport,
  code: ExitCode,
): Promise<number> {
  if (raw.report !== undefined) {
    await addCommandFields(resolve(io.cwd, raw.report), code).catch((error: unknown) => {
      log.fatal(`cannot write the report ${raw.report}: ${errorMessage(error)}`);
    });
  }
  summarize(io, log, report, raw.quiet === true);
  return code;
}

/** stdout's one line, then the figures and what to do next on stderr. */
function summarize(io: CliIO, log: Logger, report: DeleteReport, quiet: boolean): void {
  if (!quiet) {
    if (report.plan) {
      io.stdout.write(`${planLine(report)}\n`);
      return;
    }
    if (report.rows.notSent > 0)
      log.info(`${report.rows.notSent} rows read but not sent (the run stopped early)`);
    if (report.rejected > 0 && report.rejectsFile) {
      log.info(`${report.rejected} rejected rows written to ${report.rejectsFile}`);
    }
    if (report.error !== null && !report.interrupted) {
      log.info(`stopped by the error above: ${deleteCounts(report)} so far`, 'SUMMARY');
    } else io.stdout.write(`${deletedLine(report)}\n`);
    if (report.ledger) log.info(`the ledger dropped ${report.ledger.forgotten} ids (${report.ledger.path})`);
    log.info(figuresLine(report), 'SUMMARY');
  }
  if (!report.complete) {
    const advice = resumeAdvice(report);
    if (advice) log.info(advice);
  }
}

/** `--plan`'s line: what a delete of this file would do. */
export function planLine(report: DeleteReport): string {
  const what = report.type === 'USER' ? 'users' : 'accounts (with their users)';
  return `PLAN: ${report.ids} ${what} to delete, ${report.repeatedIds} ids on more than one row, ${report.rowsWithoutId} rows without an id; nothing sent`;
}
