import { readFileSync } from 'node:fs';

/** The version of pxstream: this package's, which every pxstream package shares. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
