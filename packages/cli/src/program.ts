import { RECORD_TYPES } from '@pxstream/config';
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT, usageError } from './exit-codes.js';
import {
  type CliLoadOptions,
  DEFAULT_PROGRESS_INTERVAL_S,
  parseFormat,
  parseLogFormat,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePositiveNumber,
  parseRecordType,
} from './options.js';
import { VERSION } from './version.js';
import { wrapText } from './wrap.js';

export interface ParsedCommand {
  kind: 'load';
  options: CliLoadOptions;
}

const DESCRIPTION = `Load users, accounts, custom events and user preferences (CSV, JSON-lines or a JSON array, gzip too) into Gainsight PX.

Invocation:
  pxstream [options] [input]
      input file, or stdin when absent or "-"
  pxstream [options] <config.json> <TYPE> <input>
      Gainsight loader's classic form
  pxstream export -t USER|ACCOUNT -c <config> [-o file] [--filter expr]...
      write PX's records as the config's columns (see: pxstream export --help)
  pxstream count -t USER|ACCOUNT -c <config> [--filter expr]...
      print how many records PX holds, in one request
  pxstream verify -t USER|ACCOUNT -c <config> [--diff file.jsonl] <input>
      check that PX holds what the file says, field by field
  pxstream ledger rebuild -t USER|ACCOUNT -c <config> [--ledger dir]
      fill the ledger from PX's own records (then --changed-only sends what differs)
  pxstream delete -t USER|ACCOUNT -c <config> [--hard] [--cascade] [--max-deletes n] [--plan] <input>
      delete the users or accounts a file names, at most 1,000 unless told more (see: pxstream delete --help)
  pxstream emulator [options]
      run the PX emulator (see: pxstream emulator --help)`;

const EXAMPLES = `
Examples:
  cat users.csv | pxstream --type USER --config px.json
  pxstream -t ACCOUNT -c px.json --insert-missing accounts.jsonl
  pxstream --insertMissing --dryRun config.json USER users.csv | jq .
  pxstream --emulator -t USER -c examples/pxstream.json -i examples/users.csv
  pxstream -t USER -c px.json -i --resume users.csv
      continue after Ctrl-C, SIGTERM, a crash or --no-wait
  pxstream -t USER -c px.json -i --daily-budget 600000 --resume users.csv
      a multi-day load from cron: at most 600,000 requests a day

Exit codes: 0 all rows loaded, 1 fatal error (also PX unavailable or the daily budget used with --no-wait: resume later with --resume), 2 usage error, 3 finished with rejected rows, 130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP.`;

interface RawOptions {
  type?: string;
  config?: string;
  format?: string;
  insertMissing?: boolean;
  dryRun?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  strict?: boolean;
  startRow?: number;
  lastRow?: number;
  errors?: string;
  report?: string;
  rate?: number;
  concurrency?: number;
  baseUrl?: string;
  emulator?: boolean;
  timeout?: number;
  resume?: boolean;
  checkpoint?: string;
  changedOnly?: boolean;
  fullResync?: boolean;
  plan?: boolean;
  planFile?: string;
  ledger?: string | false;
  eventKey?: string;
  eventRetentionDays?: number;
  wait?: boolean;
  dailyBudget?: number;
  deleteMissing?: boolean;
  maxDeletes?: number;
  progressInterval?: number;
  logFormat?: string;
  // Gainsight's camelCase spellings, accepted as aliases.
  insertMissingAlias?: boolean;
  dryRunAlias?: boolean;
  startRowAlias?: number;
  lastRowAlias?: number;
  baseUrlAlias?: string;
  updateOnly?: boolean;
}

function hiddenAlias(flags: string, attribute: string, parser?: (v: string) => unknown): Option {
  const option = new Option(flags).hideHelp();
  option.attributeName = () => attribute;
  if (parser) option.argParser(parser);
  return option;
}

export interface HelpOutput {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Columns of the terminal the help is shown on (default 80). */
  columns?: number | undefined;
}

export function buildProgram(write: HelpOutput): Command {
  // Help text is wrapped at word boundaries to the terminal (commander wraps only the options).
  const width = Math.max(40, Math.min(write.columns ?? 80, 120));
  const program = new Command('pxstream')
    .description(wrapText(DESCRIPTION, width, 4))
    .version(VERSION, '-V, --version', 'print the version')
    .argument('[args...]', 'input, or <config.json> <TYPE> <input>')
    .option('-t, --type <type>', `record type: ${RECORD_TYPES.join(', ')}`)
    .option('-c, --config <file>', 'config file (Gainsight loader format)', './pxstream.json')
    .option(
      '-f, --format <format>',
      'input format: csv, jsonl or json (a JSON array); default: from the file extension, else from the first bytes. gzip is read as such',
    )
    .option('-i, --insert-missing', 'insert records that do not exist yet (PUT, then POST on 404)')
    .option('-d, --dry-run', 'print each body that would be sent as JSON lines on stdout; send nothing')
    .option('-v, --verbose', 'log each row as it ends')
    .option('-q, --quiet', 'print only fatal errors')
    .option('-s, --strict', 'check the whole input before sending; the first bad row aborts the run')
    .option(
      '-n, --start-row <n>',
      'first data row to load (0-based, Gainsight -n)',
      parseNonNegativeInt('--start-row'),
    )
    .option(
      '-l, --last-row <n>',
      'last data row to load (0-based, inclusive, Gainsight -l)',
      parseNonNegativeInt('--last-row'),
    )
    .option(
      '--errors <file>',
      'rejects file (default: <input name>_rejects.csv|.jsonl in the working directory)',
    )
    .option('--report <file>', 'write a JSON report of the run to this file')
    .option(
      '--rate <n>',
      'requests per second (default: config rate, else 150)',
      parsePositiveNumber('--rate'),
    )
    .option('--concurrency <n>', 'requests in flight at most', parsePositiveNumber('--concurrency'))
    .option('--base-url <url>', 'PX API base URL (overrides the data center; http only on loopback)')
    .option(
      '--timeout <ms>',
      'per-request timeout in milliseconds (default 30000)',
      parsePositiveNumber('--timeout'),
    )
    .option('--resume', 'continue where an earlier run of the same command stopped (see --checkpoint)')
    .option(
      '--checkpoint <file>',
      'checkpoint file kept during the load (default: beside --report, else <input name>_checkpoint.json)',
    )
    .option(
      '--changed-only',
      'incremental sync: skip rows whose body is the one PX last confirmed (the ledger); users, accounts, preferences',
    )
    .option('--full-resync', 'send every row, and refresh the ledger with what PX confirms')
    .option(
      '--plan',
      'compare the input with the ledger and print what a load would send (new in the ledger, changed, unchanged); send nothing',
    )
    .option(
      '--plan-file <file>',
      'with --plan: write the plan row by row, one JSON object a line (id, new/changed/unchanged/invalid, send/skip/reject; the fields a changed row would change, read from PX)',
    )
    .option('--ledger <dir>', 'the ledger directory (default: one per target, see the README)')
    .option('--no-ledger', 'no ledger: custom events are sent even if PX recorded them before')
    .option(
      '--event-key <column>',
      'custom events: the column whose value identifies an event (an event id): one event per key, across files and runs (config eventKey)',
    )
    .option(
      '--event-retention-days <n>',
      'custom events: days the ledger remembers a recorded event (default: config eventRetentionDays, else 30)',
      parsePositiveInt('--event-retention-days'),
    )
    .option(
      '--no-wait',
      'stop (exit 1, checkpoint kept) instead of waiting when PX refuses everything (a spent quota, an outage) or the daily budget is used',
    )
    .option(
      '--daily-budget <n>',
      'requests a UTC day to this PX at most, counted across runs; then wait for 00:00 UTC (or stop with --no-wait)',
      parsePositiveInt('--daily-budget'),
    )
    .option(
      '--delete-missing',
      'mirror, for FULL EXPORTS ONLY, with --changed-only: once the file is loaded, delete the users the ledger holds that the file lacks; refused (nothing deleted) over 5% of the ledger or --max-deletes',
    )
    .option(
      '--max-deletes <n>',
      'with --delete-missing: the most users it may delete (default 1000)',
      parsePositiveInt('--max-deletes'),
    )
    .option(
      '--progress-interval <s>',
      `seconds between progress lines when stderr is not a terminal (default ${DEFAULT_PROGRESS_INTERVAL_S})`,
      parsePositiveNumber('--progress-interval'),
    )
    .option('--log-format <format>', 'stderr as text (default) or json: one JSON object per line')
    .option('--emulator', 'start an embedded PX emulator and load into it (no API key needed)')
    .addOption(hiddenAlias('--insertMissing', 'insertMissingAlias'))
    .addOption(hiddenAlias('--dryRun', 'dryRunAlias'))
    .addOption(hiddenAlias('--startRow <n>', 'startRowAlias', parseNonNegativeInt('--startRow')))
    .addOption(hiddenAlias('--lastRow <n>', 'lastRowAlias', parseNonNegativeInt('--lastRow')))
    .addOption(hiddenAlias('--baseUrl <url>', 'baseUrlAlias'))
    .addOption(hiddenAlias('--updateOnly', 'updateOnly'))
    .addHelpText('after', wrapText(EXAMPLES, width, 4))
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureHelp({ helpWidth: width })
    .configureOutput({ writeOut: write.out, writeErr: write.err, outputError: () => {} });
  return program;
}

/** Parses the load command's arguments; throws CliError (usage) or returns what to run. */
export function parseLoadCommand(argv: string[], write: HelpOutput) {
  const program = buildProgram(write);
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) throw new CliError('', EXIT.OK);
      throw usageError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  return toLoadOptions(program.opts<RawOptions>(), program.args);
}

/**
 * Folds both invocation forms into the load's options. Only what is the command's own is
 * checked here (arguments, `--quiet` with `--verbose`); the rules between load options are
 * the library's, which names them and the command prints in flag words.
 */
export function toLoadOptions(raw: RawOptions, args: string[]): ParsedCommand {
  let configPath = raw.config ?? './pxstream.json';
  let typeText = raw.type;
  let input: string | undefined;
  if (args.length === 3) {
    // Gainsight's classic form: <config.json> <TYPE> <input>
    const [config, type, file] = args as [string, string, string];
    if (raw.type && raw.type.toUpperCase() !== type.toUpperCase()) {
      throw usageError(`--type ${raw.type} contradicts the positional type ${type}`);
    }
    configPath = config;
    typeText = type;
    input = file;
  } else if (args.length === 1) {
    input = args[0];
  } else if (args.length !== 0) {
    throw usageError(
      `expected [input] or <config.json> <TYPE> <input>, got ${args.length} arguments (see pxstream --help)`,
    );
  }
  const stdinDash = input === '-';
  if (stdinDash) input = undefined;
  if (typeText === undefined) {
    throw usageError(`no record type: pass --type ${RECORD_TYPES.join('|')} (see pxstream --help)`);
  }
  const type = parseRecordType(typeText);
  const insertMissing = Boolean(raw.insertMissing || raw.insertMissingAlias);
  if (raw.quiet && raw.verbose) throw usageError('--quiet and --verbose exclude each other');
  const startRow = raw.startRow ?? raw.startRowAlias;
  const lastRow = raw.lastRow ?? raw.lastRowAlias;
  return {
    kind: 'load',
    options: {
      type,
      configPath,
      input,
      stdinDash,
      format: raw.format ? parseFormat(raw.format) : undefined,
      insertMissing,
      dryRun: Boolean(raw.dryRun || raw.dryRunAlias),
      verbose: Boolean(raw.verbose),
      quiet: Boolean(raw.quiet),
      strict: Boolean(raw.strict),
      startRow,
      lastRow,
      errorsPath: raw.errors,
      reportPath: raw.report,
      rate: raw.rate,
      concurrency: raw.concurrency,
      baseUrl: raw.baseUrl ?? raw.baseUrlAlias,
      emulator: Boolean(raw.emulator),
      timeoutMs: raw.timeout,
      resume: Boolean(raw.resume),
      checkpointPath: raw.checkpoint,
      changedOnly: Boolean(raw.changedOnly),
      fullResync: Boolean(raw.fullResync),
      plan: Boolean(raw.plan),
      planFile: raw.planFile,
      ledger: raw.ledger,
      eventKey: raw.eventKey,
      eventRetentionDays: raw.eventRetentionDays,
      wait: raw.wait !== false,
      dailyBudget: raw.dailyBudget,
      deleteMissing: Boolean(raw.deleteMissing),
      maxDeletes: raw.maxDeletes,
      progressIntervalS: raw.progressInterval ?? DEFAULT_PROGRESS_INTERVAL_S,
      logFormat: raw.logFormat === undefined ? 'text' : parseLogFormat(raw.logFormat),
    },
  };
}
