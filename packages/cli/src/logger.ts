import type { CliIO } from './io.js';

/** Messages to stderr, redacted, gated by --quiet / --verbose. Fatal errors always print. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  verbose(message: string): void;
  fatal(message: string): void;
  readonly isVerbose: boolean;
}

export function createLogger(
  io: CliIO,
  flags: { quiet: boolean; verbose: boolean },
  redact: () => (text: string) => string,
): Logger {
  const write = (text: string) => io.stderr.write(`${redact()(text)}\n`);
  return {
    info: (message) => {
      if (!flags.quiet) write(`pxstream: ${message}`);
    },
    warn: (message) => {
      if (!flags.quiet) write(`pxstream: warning: ${message}`);
    },
    verbose: (message) => {
      if (flags.verbose) write(message);
    },
    fatal: (message) => write(`pxstream: error: ${message}`),
    isVerbose: flags.verbose,
  };
}
