/**
 * What every operation that reads PX back (export, count) does first: the config read and
 * overridden as a load's is, the record type and filters checked, and a PX client made as a
 * load's sink is (same limiter and control law, same retries, same waits for PX, said on the
 * log the same way).
 */
import type { RecordType } from '@pxstream/config';
import { createRedactor } from '@pxstream/core';
import { createPxClient, type PxClient } from '@pxstream/sink-px';
import type { PxRestartEvent } from '@pxstream/source-px';
import { LoadError, loadError } from '../errors.js';
import type { LoadOptions, LogEntry } from '../options.js';
import { prepareConfig } from './config.js';
import { LoadLog } from './log.js';
import { pxClientOptions } from './px-connection.js';
import { PxWaits } from './waits.js';

/** The options every read of PX takes: `load()`'s, where they mean the same. */
export interface ReadOptions {
  /** A Gainsight loader config: the path of its JSON file, or the object itself. */
  config: string | Record<string, unknown>;
  /** `USER` or `ACCOUNT` (any case): PX lists only those; the other record types are refused. */
  type: RecordType;
  /**
   * PX filters (px-api.md "Reading records back"): each `{field}{op}{value}` terms joined by `;`
   * (AND), with `==`, `!=`, `<`, `<=`, `>`, `>=`, `~` and `!~` (`*` and `?` wildcards); several
   * filters are ORed. Passed to PX as given.
   */
  filter?: string | readonly string[];
  /** Requests per second (default: the config's `rate`, else 150). */
  rate?: number;
  /** Requests in flight at most (default: the config's, else sized by the client). */
  concurrency?: number;
  /** Per-request timeout in ms (default 30,000). */
  timeoutMs?: number;
  /** PX API base URL, overriding the config's data center and `baseUrl`. */
  baseUrl?: string;
  /**
   * Default true: when PX refuses or fails every request for a sustained spell (a spent daily
   * quota, an outage), wait for it (one probe at a time) and carry on, as a load does. `false`:
   * stop (`PX_UNAVAILABLE`).
   */
  wait?: boolean;
  /** Stops the read: no request starts any more. */
  signal?: AbortSignal;
  /** What the operation has to say (notes, warnings), key-free. */
  onLog?: (entry: LogEntry) => void;
  /** Environment for `PX_API_KEY`, `PX_BASE_URL`. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory a relative config path is resolved in. Default `process.cwd()`. */
  cwd?: string;
}

export type ReadType = 'USER' | 'ACCOUNT';

export interface ReadSetup {
  config: Awaited<ReturnType<typeof prepareConfig>>['config'];
  type: ReadType;
  filters: string[];
  log: LoadLog;
  client: PxClient;
}

/** Checks what needs no config: the type and the filters. */
export function checkReadOptions(options: ReadOptions): { type: ReadType; filters: string[] } {
  const type = String(options.type ?? '').toUpperCase();
  if (type !== 'USER' && type !== 'ACCOUNT') {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `\`type\` must be USER or ACCOUNT to read PX back (PX lists only users and accounts), got "${String(options.type)}"`,
    );
  }
  const given =
    options.filter === undefined
      ? []
      : typeof options.filter === 'string'
        ? [options.filter]
        : options.filter;
  if (!Array.isArray(given) || given.some((filter) => typeof filter !== 'string' || filter.trim() === '')) {
    throw loadError('LOAD_INVALID_OPTION', '`filter` takes PX filter expressions: non-empty strings');
  }
  return { type, filters: [...given] };
}

/** The config, the type, the filters and a client; the caller closes the client. */
export async function openRead(options: ReadOptions): Promise<ReadSetup> {
  const { type, filters } = checkReadOptions(options);
  const env = options.env ?? process.env;
  const log = new LoadLog(options.onLog);
  log.redact = createRedactor([env.PX_API_KEY]);
  const { config } = await prepareConfig(
    configOptions(options, type),
    { cwd: options.cwd ?? process.cwd(), type },
    env,
    log,
  );
  for (const warning of config.warnings) log.warn(warning);
  if (!config.apiKey) {
    const where = typeof options.config === 'string' ? options.config : 'the config';
    throw new LoadError('CONFIG_MISSING_API_KEY', `no API key: set "apiKey" in ${where} or PX_API_KEY`);
  }
  const waits = new PxWaits(log, () => undefined);
  const client = createPxClient(
    pxClientOptions(config, { timeoutMs: options.timeoutMs, wait: options.wait, onWait: waits.onWait }),
  );
  return { config, type, filters, log, client };
}

/**
 * `prepareConfig` is the load's: it reads the config and applies `baseUrl`, `rate` and
 * `concurrency` over it, and nothing else of the options (no input is read).
 */
function configOptions(options: ReadOptions, type: ReadType): LoadOptions {
  return {
    config: options.config,
    type,
    input: [],
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
  };
}

/**
 * What a read says when PX's scroll had to be replaced (it expired, failed, or lost a page's
 * answer): the reader's `onRestart`, on the operation's log.
 */
export function sayScrollRestart(log: LoadLog): (restart: PxRestartEvent) => void {
  return ({ cause, stats }) =>
    log.warn(
      `PX's scroll failed after ${stats.records} records (${cause.message}): a new one started past the last record read`,
    );
}

/** Messages of errors raised deep down may quote an answer or a path: never the key. */
export function redactError(error: LoadError, redact: (text: string) => string): LoadError {
  const message = redact(error.message);
  if (message !== error.message) Object.defineProperty(error, 'message', { value: message });
  return error;
}
