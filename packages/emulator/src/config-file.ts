/**
 * `--config <file>`: what the emulator takes from a pxstream config.json (read here, without
 * `@pxstream/config`): the custom attributes its USER and ACCOUNT `fieldMapping` map
 * (`customAttributes.<apiName>`), typed from `attributeTypes` (default STRING), and its
 * `apiKey`, if any (trimmed, as pxstream reads it). The key is never put in a message: a JSON syntax error is reported
 * without the parser's text, which may quote the file.
 */
import { readFileSync } from 'node:fs';
import type { CustomAttributeSpec } from './options.js';

export interface ConfigFileOptions {
  customAttributes: { user: CustomAttributeSpec[]; account: CustomAttributeSpec[] };
  apiKey: string | undefined;
}

/** A config file the emulator cannot use (code `EMULATOR_INVALID_CONFIG_FILE`). */
export class EmulatorConfigFileError extends Error {
  override readonly name = 'EmulatorConfigFileError';
  readonly code = 'EMULATOR_INVALID_CONFIG_FILE';
}

const TYPES = new Set(['STRING', 'NUMBER', 'BOOLEAN', 'DATE_TIME']);
const PREFIX = 'customAttributes.';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads and checks `path`; throws `EmulatorConfigFileError`. */
export function readConfigFile(path: string): ConfigFileOptions {
  const fail = (why: string) => new EmulatorConfigFileError(`--config ${path}: ${why}`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(error)})`);
  }
  let root: unknown;
  try {
    root = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw fail('not valid JSON');
  }
  if (!isObject(root)) throw fail('expected a JSON object');
  const mapping = root.fieldMapping ?? {};
  if (!isObject(mapping)) throw fail('fieldMapping must be an object');
  const types = root.attributeTypes ?? {};
  if (!isObject(types)) throw fail('attributeTypes must be an object');

  const declared = (model: 'USER' | 'ACCOUNT'): CustomAttributeSpec[] => {
    const fields = mapping[model] ?? {};
    if (!isObject(fields)) throw fail(`fieldMapping.${model} must be an object`);
    return Object.keys(fields)
      .filter((field) => field.startsWith(PREFIX) && field.length > PREFIX.length)
      .map((field) => {
        const raw = types[field] ?? 'STRING';
        const type = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
        if (!TYPES.has(type))
          throw fail(`attributeTypes.${field} must be STRING, NUMBER, BOOLEAN or DATE_TIME`);
        return { apiName: field.slice(PREFIX.length), type: type as CustomAttributeSpec['type'] };
      });
  };
  const apiKey = root.apiKey;
  if (apiKey !== undefined && apiKey !== null && typeof apiKey !== 'string')
    throw fail('apiKey must be a string');
  return {
    customAttributes: { user: declared('USER'), account: declared('ACCOUNT') },
    apiKey: typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : undefined,
  };
}
