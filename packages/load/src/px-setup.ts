import type { PxConfig, RecordType } from '@pxstream/config';
import { errorMessage, isPxStreamError } from '@pxstream/core';
import { type CustomAttributeSpec, type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { createPxClient, createPxSink, DEFAULT_RATE, type PxSink } from '@pxstream/sink-px';
import { LoadError, loadError } from './errors.js';
import type { LoadLog } from './log.js';
import type { SinkFigures } from './report.js';
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
  const emulator = await startEmulator({
    customAttributes: { user: custom('USER'), account: custom('ACCOUNT') },
  });
  config.baseUrl = emulator.baseUrl;
  config.apiKey = emulator.apiKey;
  return emulator;
}

/**
 * Reads PX's attribute metadata once, when the load will talk to PX anyway, or when a dry run
 * maps custom attributes that `attributeTypes` does not type. A rejected key is fatal here,
 * before any row is read.
 */
export async function fetchMetadata(
  config: PxConfig,
  settings: PxSettings,
  log: LoadLog,
): Promise<AttributeMetadataList | undefined> {
  const model = settings.type === 'ACCOUNT' ? 'account' : settings.type === 'USER' ? 'user' : undefined;
  if (!model || !config.apiKey) return undefined;
  const mapping = config.fieldMapping[settings.type] ?? {};
  const untyped = Object.keys(mapping).some(
    (field) => field.startsWith('customAttributes.') && config.attributeTypes[field] === undefined,
  );
  if (settings.dryRun && !untyped) return undefined;
  const client = createPxClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: settings.timeoutMs,
  });
  try {
    return (await client.getAttributeMetadata(model)) as AttributeMetadataList;
  } catch (error) {
    const status = isPxStreamError(error) ? error.status : undefined;
    if (status === 401 || status === 403) {
      throw new LoadError('PX_AUTH_FAILED', `PX rejected the API key (HTTP ${status}) at ${config.baseUrl}`, {
        status,
        cause: error,
      });
    }
    if (settings.dryRun) {
      log.warn(
        `cannot read PX attribute metadata (${errorMessage(error)}); custom attributes typed from config`,
      );
      return undefined;
    }
    throw loadError(
      'PX_METADATA_UNREADABLE',
      `cannot read PX attribute metadata at ${config.baseUrl}: ${errorMessage(error)}`,
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

export function createSink(config: PxConfig, settings: PxSettings): SinkHandle {
  const sink = createPxSink({
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
