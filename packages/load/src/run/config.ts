import { resolve } from 'node:path';
import { checkBaseUrl, loadConfig, type PxConfig, parseConfig, requireApiKey } from '@pxstream/config';
import { createRedactor, errorMessage } from '@pxstream/core';
import { LoadError, loadError } from '../errors.js';
import type { LoadOptions } from '../options.js';
import type { RunSettings } from '../settings.js';
import type { LoadLog } from './log.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The config of a run: read (a file or an object), the options that override it applied, and
 * the log told what to redact (the key, from the config or the environment) before anything
 * else is said.
 */
export async function prepareConfig(
  options: LoadOptions,
  settings: Pick<RunSettings, 'cwd' | 'type'>,
  env: Env,
  log: LoadLog,
): Promise<{ config: PxConfig; secrets: readonly (string | undefined)[] }> {
  const config = await readConfig(options, settings, env);
  const secrets = [config.apiKey, env.PX_API_KEY];
  log.redact = createRedactor(secrets);
  applyOverrides(config, options);
  return { config, secrets };
}

async function readConfig(
  options: LoadOptions,
  settings: Pick<RunSettings, 'cwd' | 'type'>,
  env: Env,
): Promise<PxConfig> {
  const { config } = options;
  if (typeof config === 'string')
    return loadConfig(resolve(settings.cwd, config), { env, type: settings.type });
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw loadError('LOAD_INVALID_OPTION', '`config` must be the path of a config file or a config object');
  }
  return parseConfig(JSON.stringify(config), { env, type: settings.type, path: 'the config object' });
}

/** A run that sends needs the key: said with what to do about it. */
export function requireKey(config: PxConfig, options: LoadOptions): void {
  try {
    requireApiKey(config);
  } catch (error) {
    const where = typeof options.config === 'string' ? options.config : 'the config';
    throw new LoadError(
      'CONFIG_MISSING_API_KEY',
      `no API key: set "apiKey" in ${where} or PX_API_KEY, or try \`dryRun\` or \`emulator\``,
      { cause: error },
    );
  }
}

function applyOverrides(config: PxConfig, options: LoadOptions): void {
  if (options.baseUrl !== undefined) {
    try {
      config.baseUrl = checkBaseUrl(options.baseUrl, '`baseUrl`', '`baseUrl`');
    } catch (error) {
      throw loadError('LOAD_INVALID_OPTION', errorMessage(error), error);
    }
  }
  if (options.rate !== undefined) {
    if (!(typeof options.rate === 'number' && Number.isFinite(options.rate) && options.rate > 0)) {
      throw loadError('LOAD_INVALID_OPTION', `\`rate\` must be a number > 0, got ${options.rate}`);
    }
    config.rate = options.rate;
  }
  if (options.concurrency !== undefined) {
    if (!(Number.isSafeInteger(options.concurrency) && options.concurrency > 0)) {
      throw loadError(
        'LOAD_INVALID_OPTION',
        `\`concurrency\` takes a whole number > 0, got ${options.concurrency}`,
      );
    }
    config.concurrency = options.concurrency;
  }
}

/** The first thing a real run says: where the rows go (never with the key). */
export function targetLine(config: PxConfig, settings: Pick<RunSettings, 'emulator' | 'type'>): string {
  const where = settings.emulator ? `the embedded PX emulator at ${config.baseUrl}` : config.baseUrl;
  const products = config.productKeys.length > 0 ? `, product ${config.productKeys.join(', ')}` : '';
  return `loading ${settings.type} into ${where}${products}`;
}
