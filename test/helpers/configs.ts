import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorOptions } from '@pxstream/emulator';
import { EXAMPLES } from './cli.js';
import { SECRET_KEY } from './emulator.js';

const example = JSON.parse(readFileSync(join(EXAMPLES, 'pxstream.json'), 'utf8')) as Record<string, unknown>;
const exampleJsonl = JSON.parse(readFileSync(join(EXAMPLES, 'pxstream-jsonl.json'), 'utf8')) as Record<
  string,
  unknown
>;

/** The emulator options matching the examples' custom attributes. */
export const EXAMPLE_ATTRIBUTES: EmulatorOptions['customAttributes'] = {
  user: [{ apiName: 'plan', type: 'STRING' }],
  account: [{ apiName: 'tier', type: 'STRING' }],
};

/** The example config pointed at an emulator, with the secret key in it. */
export function exampleConfig(baseUrl: string, extra: Record<string, unknown> = {}) {
  return { ...example, apiKey: SECRET_KEY, baseUrl, ...extra };
}

export function exampleJsonlConfig(baseUrl: string, extra: Record<string, unknown> = {}) {
  return { ...exampleJsonl, apiKey: SECRET_KEY, baseUrl, ...extra };
}
