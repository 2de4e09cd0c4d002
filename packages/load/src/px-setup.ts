import type { Writable } from 'node:stream';
import type { PxConfig, RecordType } from '@pxstream/config';
import { errorMessage, isPxStreamError } from '@pxstream/core';
import { type CustomAttributeSpec, type EmulatorHandle, startEmulator } from '@pxstream/emulator';
import { createPxClient, createPxSink } from '@pxstream/sink-px';
import { CliError, EXIT } from './exit-codes.js';
import type { Logger } from './logger.js';
import type { LoadOptions } from './options.js';
import type { SinkFigures } from './report.js';
import type { AttributeMetadataList } from './stages.js';

/** Requests per second when neither the config nor --rate says: leaves PX's 200/s some room. */
export const DEFAULT_RATE = 150;

/**
 * Starts the embedded emulator (the demo) and points the config at it. Custom attributes the
 * config maps are declared in the emulator, typed from `attributeTypes`, so the demo loads.
 * The config's real API key, if any, is never sent to it.
 */
export async function startEmbeddedEmulator(config: PxConfig, _type: RecordType): Promise<EmulatorHandle> {
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
 * Reads PX's attribute metadata once, when the run will talk to PX anyway, or when a dry run
 * maps custom attributes that `attributeTypes` does not type. A rejected key is fatal here,
 * before any row is read.
 */
export async function fetchMetadata(
  config: PxConfig,
  options: LoadOptions,
  log: Logger,
): Promise<AttributeMetadataList | undefined> {
  const model = options.type === 'ACCOUNT' ? 'account' : options.type === 'USER' ? 'user' : undefined;
  if (!model || !config.apiKey) return undefined;
  const mapping = config.fieldMapping[options.type] ?? {};
  const untyped = Object.keys(mapping).some(
    (field) => field.startsWith('customAttributes.') && config.attributeTypes[field] === undefined,
  );
  if (options.dryRun && !untyped) return undefined;
  const client = createPxClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: options.timeoutMs,
  });
  try {
    return (await client.getAttributeMetadata(model)) as AttributeMetadataList;
  } catch (error) {
    const status = isPxStreamError(error) ? error.status : undefined;
    if (status === 401 || status === 403) {
      throw new CliError(`PX rejected the API key (HTTP ${status}) at ${config.baseUrl}`, EXIT.FATAL);
    }
    if (options.dryRun) {
      log.warn(
        `cannot read PX attribute metadata (${errorMessage(error)}); custom attributes typed from config`,
      );
      return undefined;
    }
    throw new CliError(
      `cannot read PX attribute metadata at ${config.baseUrl}: ${errorMessage(error)}`,
      EXIT.FATAL,
    );
  } finally {
    client.close();
  }
}

export interface SinkHandle {
  sink: Writable;
  figures(): SinkFigures;
}

export function createSink(config: PxConfig, options: LoadOptions): SinkHandle {
  const sink = createPxSink({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey ?? '',
    type: options.type,
    insertMissing: options.insertMissing,
    rate: config.rate ?? DEFAULT_RATE,
    ...(config.concurrency !== undefined ? { concurrency: config.concurrency } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return {
    sink,
    figures: () => {
      const stats = sink.stats();
      return { requests: stats.sent, retries: stats.retries, http429: stats.http429 };
    },
  };
}
