import { readFile } from 'node:fs/promises';
import type { ParseConfigOptions, PxConfig } from './config.js';
import { configError } from './errors.js';
import { parseConfig } from './parse.js';

export type LoadConfigOptions = Omit<ParseConfigOptions, 'path'>;

/** Reads and checks a config.json file (see `parseConfig`). */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<PxConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw configError('CONFIG_FILE_NOT_FOUND', path, 'config file not found', { cause: error });
    const reason =
      code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'error');
    throw configError('CONFIG_UNREADABLE', path, `cannot read the config file (${reason})`, { cause: error });
  }
  return parseConfig(text, { ...options, path });
}

/** The API key, or a fatal `CONFIG_MISSING_API_KEY` error when neither the file nor the env has one. */
export function requireApiKey(config: Pick<PxConfig, 'apiKey' | 'path'>): string {
  if (config.apiKey === undefined || config.apiKey === '') {
    throw configError('CONFIG_MISSING_API_KEY', config.path, 'no API key: set "apiKey" or PX_API_KEY', {
      field: 'apiKey',
    });
  }
  return config.apiKey;
}
