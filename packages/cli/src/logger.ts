import type { CliIO } from './io.js';

/** How stderr is written: lines for people, or one JSON object per line for log pipelines. */
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/** The run's counters as the last progress (or the report) gave them: each JSON line carries them. */
export type LogCounters = Readonly<Record<string, number | null>>;

/**
 * Messages to stderr, redacted, gated by --quiet / --verbose. Fatal errors always print. With
 * `--log-format json` each message is one object on one line:
 * `{"time", "level", "code", "message", "counters"}`; `level` is `info`, `warn`, `error` or
 * `debug` (--verbose), `code` the error's, the rejection's or the note's code (null for a plain
 * note), `counters` the run's counters so far (null before the run has any).
 */
export interface Logger {
  info(message: string, code?: string): void;
  warn(message: string, code?: string): void;
  verbose(message: string, code?: string): void;
  fatal(message: string, code?: string): void;
  /** A timestamped progress line (`code` PROGRESS in JSON), unless --quiet. */
  progress(message: string): void;
  /** Counters the next lines carry (JSON). */
  counters: LogCounters | undefined;
  readonly isVerbose: boolean;
  readonly format: LogFormat;
}

export function createLogger(
  io: Pick<CliIO, 'stderr'>,
  flags: { quiet: boolean; verbose: boolean; logFormat?: LogFormat | undefined },
  redact: () => (text: string) => string,
  now: () => number = Date.now,
): Logger {
  const format = flags.logFormat ?? 'text';
  const line = (level: string, code: string | undefined, message: string, prefix: string) => {
    const clean = redact()(message);
    if (format === 'json') {
      const entry = {
        time: new Date(now()).toISOString(),
        level,
        code: code ?? null,
        message: clean,
        counters: logger.counters ?? null,
      };
      io.stderr.write(`${JSON.stringify(entry)}\n`);
    } else io.stderr.write(`${prefix}${clean}\n`);
  };
  const logger: Logger = {
    info: (message, code) => {
      if (!flags.quiet) line('info', code, message, 'pxstream: ');
    },
    warn: (message, code) => {
      if (!flags.quiet) line('warn', code, message, 'pxstream: warning: ');
    },
    verbose: (message, code) => {
      if (flags.verbose) line('debug', code, message, '');
    },
    fatal: (message, code) => line('error', code, message, 'pxstream: error: '),
    progress: (message) => {
      if (flags.quiet) return;
      const stamp = `${new Date(now()).toISOString().slice(0, 19)}Z`;
      line('info', 'PROGRESS', message, `${stamp} pxstream: `);
    },
    counters: undefined,
    isVerbose: flags.verbose,
    format,
  };
  return logger;
}

/**
 * The log format asked for on a command line, read before the command is parsed: a usage
 * error is then written in it too.
 */
export function logFormatIn(argv: readonly string[]): LogFormat {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--log-format=json' || (arg === '--log-format' && argv[i + 1] === 'json')) return 'json';
  }
  return 'text';
}
