import type { PxConfig, RecordType } from '@pxstream/config';
import { errorMessage, isPxStreamError } from '@pxstream/core';
import type { CustomAttributeSpec, EmulatorHandle } from '@pxstream/emulator';
import {
  baseUrlFix,
  createPxClient,
  DEFAULT_RATE,
  type PxWaitEvent,
  type RequestBudget,
} from '@pxstream/sink-px';
import { LoadError, loadError } from '../errors.js';
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
  /** Wait for PX when it refuses everything (default), or stop. */
  wait?: boolean;
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

/** What the pre-flight's requests share with the load's: the daily count, the wait lines. */
export interface PreflightHooks {
  requestBudget?: RequestBudget | undefined;
  onWait?: ((event: PxWaitEvent) => void) | undefined;
}

/**
 * The pre-flight check, before any row is read: one cheap authenticated request to PX for every
 * record type (the attribute metadata of the type's model; of users for events and
 * preferences), so that a wrong key, a base URL without `/v1` or a refused port stops the load
 * at once with a coded error instead of failing row by row. For USER and ACCOUNT the metadata
 * is kept (it types the custom attributes). A dry run asks only when it maps custom attributes
 * that `attributeTypes` does not type, and then a failure is only a warning. A 429 is PX
 * answering (a spent quota, say): unless `wait` is false, the load waits for PX there as it
 * would mid-run; anything else that keeps PX from answering stops it in seconds.
 */
export async function preflight(
  config: PxConfig,
  settings: PxSettings,
  log: LoadLog,
  hooks: PreflightHooks = {},
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
  const read = (wait: boolean) => readMetadataOnce(config, settings, model, wait, hooks);
  try {
    let metadata: AttributeMetadataList;
    try {
      metadata = await read(false);
    } catch (error) {
      const waits = settings.wait !== false && !settings.dryRun;
      if (!waits || !isPxStreamError(error) || error.status !== 429) throw error;
      metadata = await read(true);
    }
    return typed ? metadata : undefined;
  } catch (error) {
    const code = isPxStreamError(error) ? error.code : undefined;
    const status = isPxStreamError(error) ? error.status : undefined;
    if (status === 401) {
      throw new LoadError('PX_AUTH_FAILED', `PX rejected the API key (HTTP ${status}) at ${config.baseUrl}`, {
        status,
        cause: error,
      });
    }
    // A 403 on this read: the sink's message says which permission the key lacks.
    if (status === 403) throw new LoadError('PX_AUTH_FAILED', errorMessage(error), { status, cause: error });
    if (code === 'PX_WRONG_BASE_URL') {
      throw new LoadError(code, errorMessage(error), { ...(status ? { status } : {}), cause: error });
    }
    if (status === 404) throw metadataNotFound(config.baseUrl, model, error);
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
  }
}

/** How long the first pre-flight read tries before PX counts as unreachable. */
const PREFLIGHT_SPELL_MS = 3_000;

/** One read of the metadata: in seconds (`wait` false), or waiting for PX as the load does. */
async function readMetadataOnce(
  config: PxConfig,
  settings: PxSettings,
  model: 'user' | 'account',
  wait: boolean,
  hooks: PreflightHooks,
): Promise<AttributeMetadataList> {
  const client = createPxClient({
    baseUrl: config.baseUrl,
    apiKey: config.apiKey ?? '',
    timeoutMs: settings.timeoutMs,
    // A refused port, a dead host or a certificate refused is said in seconds, not after a full
    // row's retries nor a load's 30 s spell: before PX ever answered, a wrong address is likelier
    // than an outage (a 429 then waits, below).
    ...(wait ? {} : { maxAttempts: 3, unavailableAfterMs: PREFLIGHT_SPELL_MS }),
    wait,
    ...(hooks.requestBudget ? { requestBudget: hooks.requestBudget } : {}),
    ...(wait && hooks.onWait ? { onWait: hooks.onWait } : {}),
  });
  try {
    return (await client.getAttributeMetadata(model)) as AttributeMetadataList;
  } finally {
    client.close();
  }
}

/**
 * PX always has the attribute metadata of its models: a 404 on reading it means the request
 * never reached PX's API, whatever the body says (a gateway may answer JSON, even a record-like
 * "not found"). The fix named: the API version when the path lacks it, else the API's address.
 */
function metadataNotFound(baseUrl: string, model: 'user' | 'account', error: unknown): LoadError {
  const answer = /HTTP 404 (.*)$/.exec(errorMessage(error))?.[1] ?? 'HTTP 404';
  return new LoadError(
    'PX_WRONG_BASE_URL',
    `PX answered GET /admin/model/${model}/attributes with 404 (${answer}) at ${baseUrl}: PX always has it, ` +
      `so the base URL is wrong: ${baseUrlFix(baseUrl)}`,
    { status: 404, cause: error },
  );
}
