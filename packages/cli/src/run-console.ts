/**
 * What a command that sends (a load, a delete) shows and hears while it runs: its progress
 * (a line drawn in place on a terminal, a timestamped line every --progress-interval
 * elsewhere), the library's notes in flag words, and the stop signals: the first stops
 * reading and sending, the second aborts the requests on the wire.
 */
import type { LogEntry } from '@pxstream/load';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIO, StopSignal } from './io.js';
import { inFlagWords } from './library-words.js';
import type { Logger } from './logger.js';
import { ProgressLine, ProgressLog } from './progress.js';

/** The exit code of a run stopped by each signal: 128 + the signal's number, as shells say it. */
export const SIGNAL_EXIT: Readonly<Record<StopSignal, ExitCode>> = {
  SIGINT: EXIT.INTERRUPTED,
  SIGTERM: EXIT.TERMINATED,
  SIGHUP: EXIT.HANGUP,
};

/** What the first stop says: reading and sending stop; the requests on the wire are waited for. */
export const STOP_LINES: Readonly<Record<StopSignal, string>> = {
  SIGINT:
    'interrupted: stopped reading and sending; finishing the requests on the wire (Ctrl-C again to abort them)',
  SIGTERM:
    'terminated (SIGTERM): stopped reading and sending; finishing the requests on the wire (SIGTERM again to abort them)',
  SIGHUP:
    'hung up (SIGHUP): stopped reading and sending; finishing the requests on the wire (SIGHUP again to abort them)',
};

export interface RunConsole {
  progressLine: ProgressLine | undefined;
  progressLog: ProgressLog | undefined;
  /** Aborted by the first stop signal. */
  signal: AbortSignal;
  /** Aborted by the second. */
  forceSignal: AbortSignal;
  /** The library's notes and warnings, in flag words, the progress line cleared first. */
  onLog: (entry: LogEntry) => void;
  /** 130 for an interrupted run becomes the code of the signal that stopped it. */
  exitFor: (code: ExitCode) => ExitCode;
  /** Stops listening to the signals. */
  close: () => void;
}

export function runConsole(
  io: CliIO,
  log: Logger,
  flags: { quiet: boolean; verbose: boolean; progressIntervalS: number; textLog: boolean },
): RunConsole {
  // A terminal gets a line drawn in place; anything else (a log file, journald, cron mail, a
  // JSON pipeline) a timestamped line every --progress-interval.
  const terminal = io.stderr.isTTY === true && flags.textLog;
  const progressLine = terminal && !flags.quiet && !flags.verbose ? new ProgressLine(io.stderr) : undefined;
  const progressLog =
    !terminal && !flags.quiet ? new ProgressLog(log, flags.progressIntervalS * 1000) : undefined;
  const stop = new AbortController();
  const force = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const close = io.onInterrupt((signal = 'SIGINT') => {
    if (stoppedBy === undefined) {
      stoppedBy = signal;
      progressLine?.clear();
      log.info(STOP_LINES[signal], signal);
      stop.abort();
    } else force.abort();
  });
  return {
    progressLine,
    progressLog,
    signal: stop.signal,
    forceSignal: force.signal,
    onLog: (entry) => {
      progressLine?.clear();
      if (entry.level === 'warn') log.warn(inFlagWords(entry.message), entry.code);
      else log.info(inFlagWords(entry.message), entry.code);
    },
    exitFor: (code) => (code === EXIT.INTERRUPTED && stoppedBy ? SIGNAL_EXIT[stoppedBy] : code),
    close,
  };
}
