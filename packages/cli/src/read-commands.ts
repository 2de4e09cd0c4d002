/**
 * What the commands that read PX back (`export`, `count`) share: their common flags, their
 * parsing (usage errors exit 2), and how a failure is printed and turned into an exit code.
 */
import { createRedactor, errorMessage } from '@pxstream/core';
import { LoadError } from '@pxstream/load';
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';
import { inFlagWords, USAGE_ERROR_CODES } from './library-words.js';
import { createLogger, type Logger } from './logger.js';
import { parsePositiveNumber, parseRecordType } from './options.js';
import { wrapText } from './wrap.js';

/** The flags of every read command, as commander gives them. */
export interface RawReadOptions {
  type?: string;
  config: string;
  filter?: string[];
  baseUrl?: string;
  rate?: number;
  timeout?: number;
  quiet?: boolean;
  wait?: boolean;
}

/** The options of a read command once parsed. */
export interface ReadCommandOptions {
  type: 'USER' | 'ACCOUNT';
  configPath: string;
  filters: string[];
  baseUrl: string | undefined;
  rate: number | undefined;
  timeoutMs: number | undefined;
  quiet: boolean;
  /** `--no-wait`: stop when PX refuses everything, instead of waiting for it. */
  wait: boolean;
}

/**
 * A read command with the common flags; the caller adds its own, then `parseRead`. `filter:
 * false` leaves out `--filter` (verify and ledger rebuild read what their job needs).
 */
export function readCommand(
  name: string,
  description: string,
  examples: string,
  io: CliIO,
  { filter = true }: { filter?: boolean } = {},
): Command {
  const width = Math.max(40, Math.min(io.stdout.columns ?? io.stderr.columns ?? 80, 120));
  const command = new Command(`pxstream ${name}`)
    .description(wrapText(description, width, 4))
    .option('-t, --type <type>', 'record type: USER or ACCOUNT')
    .option('-c, --config <file>', 'config file (Gainsight loader format)', './pxstream.json');
  if (filter) {
    command.option(
      '--filter <expr>',
      'PX filter: field==value terms (also != < <= > >= ~ !~, * and ? with ~) joined by ; for AND; repeat --filter for OR',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    );
  }
  return command
    .option('--base-url <url>', 'PX API base URL (overrides the data center; http only on loopback)')
    .option(
      '--rate <n>',
      'requests per second (default: config rate, else 150)',
      parsePositiveNumber('--rate'),
    )
    .option(
      '--timeout <ms>',
      'per-request timeout in milliseconds (default 30000)',
      parsePositiveNumber('--timeout'),
    )
    .option(
      '--no-wait',
      'stop (exit 1) instead of waiting when PX refuses everything (a spent quota, an outage)',
    )
    .option('-q, --quiet', 'print only fatal errors')
    .addHelpText('after', wrapText(examples, width, 4))
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureHelp({ helpWidth: width })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
    });
}

/** Parses `argv` with `command`; throws a `CliError` (usage, or 0 after `--help`). */
export function parseRead<T extends RawReadOptions>(
  command: Command,
  argv: string[],
  /** False for a command that says itself which types it takes (delete: the library's words). */
  listedTypesOnly = true,
): { raw: T; common: ReadCommandOptions } {
  try {
    command.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) throw new CliError('', EXIT.OK);
      throw new CliError(error.message.replace(/^error: /, ''), EXIT.USAGE);
    }
    throw error;
  }
  const raw = command.opts<T>();
  if (raw.type === undefined) throw new CliError(`no record type: pass --type USER|ACCOUNT`, EXIT.USAGE);
  const type = parseRecordType(raw.type);
  if (listedTypesOnly && type !== 'USER' && type !== 'ACCOUNT') {
    throw new CliError(
      `--type must be USER or ACCOUNT: PX lists only users and accounts, got ${type}`,
      EXIT.USAGE,
    );
  }
  return {
    raw,
    common: {
      type: type as ReadCommandOptions['type'],
      configPath: raw.config,
      filters: raw.filter ?? [],
      baseUrl: raw.baseUrl,
      rate: raw.rate,
      timeoutMs: raw.timeout,
      quiet: raw.quiet === true,
      wait: raw.wait !== false,
    },
  };
}

/** The logger of a read command: stderr, the key of the environment redacted. */
export function readLogger(io: CliIO, quiet: boolean): Logger {
  return createLogger(io, { quiet, verbose: false }, () => createRedactor([io.env.PX_API_KEY]));
}

/** The library names options in backquotes; the command says its flags. */
export function readFlagWords(text: string): string {
  return inFlagWords(text.replaceAll('`allFields`', '--all-fields').replaceAll('`filter`', '--filter'));
}

/**
 * A failure printed, and its exit code: 2 for the call's own mistakes, 0 for a reader gone
 * away (`| head`), 1 for the rest. A usage error that never reached the library is printed by
 * the caller.
 */
export function failureExit(error: unknown, log: Logger, io: CliIO, name: string): number {
  if (error instanceof CliError) {
    if (error.message) log.fatal(error.message);
    if (error.exitCode === EXIT.USAGE) io.stderr.write(`Run pxstream ${name} --help for usage.\n`);
    return error.exitCode;
  }
  if (error instanceof LoadError && error.code === 'OUTPUT_CLOSED') return EXIT.OK;
  log.fatal(readFlagWords(errorMessage(error)));
  if (error instanceof LoadError && USAGE_ERROR_CODES.has(error.code)) {
    io.stderr.write(`Run pxstream ${name} --help for usage.\n`);
    return EXIT.USAGE;
  }
  return EXIT.FATAL;
}

/** The exit code of a stop, by its signal, as a load's: 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP. */
export function interruptedExit(signal: string | undefined): number {
  if (signal === 'SIGTERM') return EXIT.TERMINATED;
  if (signal === 'SIGHUP') return EXIT.HANGUP;
  return EXIT.INTERRUPTED;
}
