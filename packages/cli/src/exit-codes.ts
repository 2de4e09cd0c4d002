/** The exit codes users script against. */
export const EXIT = {
  /** Every row accounted for and none rejected. */
  OK: 0,
  /** Fatal: config, auth, I/O, PX unavailable or the daily budget used with --no-wait. */
  FATAL: 1,
  /** Usage error: bad flags or arguments. */
  USAGE: 2,
  /** Finished, but some rows were rejected (see the rejects file). */
  REJECTED: 3,
  /** Interrupted by Ctrl-C (SIGINT). */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM (systemd, Docker, Kubernetes, `timeout`): 128 + 15, as shells report it. */
  TERMINATED: 143,
  /** Stopped by SIGHUP (the terminal or session went away): 128 + 1. */
  HANGUP: 129,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that ends the command with a given exit code and a one-line message. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.USAGE);
