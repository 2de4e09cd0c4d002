import type { PxConfig, RecordType } from '@pxstream/config';
import { errorMessage, isPxStreamError } from '@pxstream/core';
import type { CustomAttributeSpec, EmulatorHandle } from '@pxstream/emulator';
import {
  createPxClient,
  createPxSink,
  DEFAULT_RATE,
  defaultConcurrency,
  type PxSink,
  type SendGuard,
} from '@pxstream/sink-px';
import { LoadError, loadError } from '../errors.js';
import type { SinkFigures } from '../report.js';
import type { LoadLog } from './log.js';
import type { AttributeMetadataList } from './stages.js';

export { DEFAULT_RATE };

/** What `load()` needs of its settings to talk to PX. */
export interface PxSettings {
  type: RecordType;
  dryRun: boolean;
  strict: boolean;
  insertMissing: boolean;
  timeoutMs: number | undefined;
}

/**
 * Starts an emulator for the load (the demo) and points the config at it. Custom attributes
 * the config maps are declared in the emulator, typed from `attributeTypes`, so the sample
 * loads. The config's real API key, if any, is never sent to it.
 */
export async function startEmbeddedEmulator(config: PxConfig): Promise<EmulatorHandle> {
  const custom = (model: 'USER' | 'ACCOUNT'): CustomAttributeSpec[] =>
    Object.keys(config.fieldMapping[model] ?? {})
      .filter((field) => field.startsWith('customAttributes.'))
      .map((field) => ({
        apiName: field.slice('customAttributes.'.length),
        type: config.attributeTypes[field] ?? 'STRING',
      }));
  // Loaded here, not at start-up: a load into a real PX never needs its 34 modules.
  const { startEmulator } = await import('@pxstream/emulator');
  const emulator = await startEmulator({
    customAttributes: { user: custom('USER'), account: custom('ACCOUNT') },
  });
  config.baseUrl = emulator.baseUrl;
  config.apiKey = emulator.apiKey;
  return emulator;
}

/**
 * The pre-flight check, before any row is read: one cheap authenticated request to PX for every
 * record type (the attribute metadata of the type's model; of users for events and
 * preferences), so that a wrong key, a base URL without `/v1` or a refused port stops the load
 * at once with a coded error instead of failing row by row. For USER and ACCOUNT the metadata
 * is kept (it types the custom attributes). A dry run asks only when it maps custom attributes
 * that `attributeTypes` does not type, and then a failure is only a warning.
 */
export async function preflight(
  config: PxConfig,
  settings: PxSettings,
  log: LoadLog,
): Promise<AttributeMetadataList | undefined> {
  const model = settings.type === 'ACCOUNT' ? 'account' : 'user';
  const typed = settings.type === 'USER' || settings.type === 'ACCOUNT';
  if (!config.apiKey) return undefined;
  if (settings.dryRun) {
    const mapping = config.fieldMapping[settings.type] ?? {};
    const untyped = Object.keys(mapping).some(
      (field) => field.startsWith('customAttributes.') && config.attributeTypes[field] === undefined,
    );
    if (!typed || !untyped) return undefined;
  }
  const client = createPxClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: settings.timeoutMs,
    // A refused port or a dead host is said in seconds, not after a full row's retries.
    maxAttempts: 3,
  });
  try {
    const metadata = (await client.getAttributeMetadata(model)) as AttributeMetadataList;
    return typed ? metadata : undefined;
  } catch (error) {
    const code = isPxStreamError(error) ? error.code : undefined;
    const status = isPxStreamError(error) ? error.status : undefined;
    if (status === 401 || status === 403) {
      throw new LoadError('PX_AUTH_FAILED', `PX rejected the API key (HTTP ${status}) at ${config.baseUrl}`, {
        status,
        cause: error,
      });
    }
    if (code === 'PX_WRONG_BASE_URL') {
      throw new LoadError(code, errorMessage(error), { ...(status ? { status } : {}), cause: error });
    }
    if (settings.dryRun) {
      log.warn(
        `cannot read PX attribute metadata (${errorMessage(error)}); custom attributes typed from config`,
      );
      return undefined;
    }
    throw loadError(
      'PX_METADATA_UNREADABLE',
      `cannot reach PX at ${config.baseUrl} before loading: ${errorMessage(error)}`,
      error,
    );
  } finally {
    client.close();
  }
}

export interface SinkHandle {
  sink: PxSink;
  figures(): SinkFigures;
}

export function createSink(config: PxConfig, settings: PxSettings, guard?: SendGuard): SinkHandle {
  const concurrency = config.concurrency ?? defaultConcurrency(config.rate ?? DEFAULT_RATE);
  const sink = createPxSink({
    guard,
    // Events with the ledger: a row is marked pending when the sink takes it, so the sink takes
    // no more than it has requests in flight. After a kill -9 the events in doubt are then the
    // ones that were on the wire, not a queue behind them.
    ...(guard && settings.type === 'CUSTOM_EVENT' ? { maxPending: concurrency } : {}),
    baseUrl: config.baseUrl,
    apiKey: config.apiKey ?? '',
    type: settings.type,
    insertMissing: settings.insertMissing,
    rate: config.rate ?? DEFAULT_RATE,
    ...(config.concurrency !== undefined ? { concurrency: config.concurrency } : {}),
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
  });
  return {
    sink,
    figures: () => {
      const stats = sink.stats();
      return { requests: stats.sent, retries: stats.retries, http429: stats.http429 };
    },
  };
}
