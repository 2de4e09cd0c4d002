/**
 * How the commands that read PX back (`export`, `count`, `verify`, `ledger rebuild`) run their
 * library call: stopped by Ctrl-C, SIGTERM or SIGHUP, the library's notes on stderr under the
 * progress line, a failure printed with its exit code.
 */
import type { LogEntry } from '@pxstream/load';
import type { CliIO, StopSignal } from './io.js';
import type { Logger } from './logger.js';
import { failureExit, type ReadCommandOptions, readFlagWords } from './read-commands.js';

/** The options every read operation takes from the common flags, with the stop and the log. */
export interface ReadCallOptions {
  config: string;
  type: ReadCommandOptions['type'];
  baseUrl: string | undefined;
  rate: number | undefined;
  timeoutMs: number | undefined;
  wait: boolean;
  signal: AbortSignal;
  onLog: (entry: LogEntry) => void;
  env: CliIO['env'];
  cwd: string;
}

export interface ReadRun {
  readonly options: ReadCallOptions;
  /** The signal that stopped the run, once one did. */
  stoppedBy(): StopSignal | undefined;
}

export interface ReadRunSetup {
  /** The command's name, as `Run pxstream <name> --help` says it. */
  name: string;
  /** The progress line on a terminal: wiped before anything else is printed. */
  progress?: { clear(): void } | undefined;
  /** What a stop says, `interrupted: <stopping>`; nothing when left out. */
  stopping?: string;
}

/** Runs `call` as a read command: its exit code, or a failure's (printed). */
export async function runRead(
  io: CliIO,
  log: Logger,
  common: ReadCommandOptions,
  setup: ReadRunSetup,
  call: (run: ReadRun) => Promise<number>,
): Promise<number> {
  const { progress, stopping } = setup;
  const stop = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const unsubscribe = io.onInterrupt((signal) => {
    progress?.clear();
    stoppedBy ??= signal ?? 'SIGINT';
    if (stopping !== undefined) log.info(`interrupted: ${stopping}`);
    stop.abort();
  });
  const options: ReadCallOptions = {
    config: common.configPath,
    type: common.type,
    baseUrl: common.baseUrl,
    rate: common.rate,
    timeoutMs: common.timeoutMs,
    wait: common.wait,
    signal: stop.signal,
    onLog: (entry) => {
      progress?.clear();
      if (entry.level === 'warn') log.warn(readFlagWords(entry.message));
      else log.info(readFlagWords(entry.message));
    },
    env: io.env,
    cwd: io.cwd,
  };
  try {
    return await call({ options, stoppedBy: () => stoppedBy });
  } catch (error) {
    progress?.clear();
    return failureExit(error, log, io, setup.name);
  } finally {
    unsubscribe();
  }
}

/**
 * The `onProgress` of a scroll over PX (export, ledger rebuild): PX's count said once, on the
 * first page that has it (whatever stderr is), then the progress line drawn.
 */
export function announcingProgress<P extends { totalHits: number | undefined }>(
  log: Logger,
  progress: { clear(): void; update(progress: P): void } | undefined,
  say: (totalHits: number) => string,
): (progress: P) => void {
  let announced = false;
  return (p) => {
    if (!announced && p.totalHits !== undefined) {
      announced = true;
      progress?.clear();
      log.info(say(p.totalHits));
    }
    progress?.update(p);
  };
}
