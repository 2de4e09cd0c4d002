import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** A temp directory removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pxstream-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `content` (an object is JSON-encoded) to `name` in `dir`; returns the path. */
export function writeConfig(dir: string, name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

export const API_KEY = 'secret-key-7f3a9c1e-0b2d-4e5f-a6b7-c8d9e0f1a2b3';

/** A valid USER config to derive error cases from. */
export function baseConfig(): Record<string, unknown> {
  return {
    apiKey: API_KEY,
    productKey: 'AP-TEST00000000-2',
    fieldMapping: { USER: { identifyId: 'id', email: 'email' } },
  };
}
