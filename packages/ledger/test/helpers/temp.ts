import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { hashBody, type LedgerTarget } from '../../src/index.js';

export const USERS: LedgerTarget = {
  baseUrl: 'https://api.aptrinsic.com/v1',
  productKeys: ['AP-TEST-1'],
  type: 'USER',
};
export const EVENTS: LedgerTarget = { ...USERS, type: 'CUSTOM_EVENT' };

/** A fresh directory under the OS temp dir, removed when the test file ends. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pxs-ledger-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The body hash of a small user body, distinct per (id, version). */
export function bodyHash(id: string, version = 0): string {
  return hashBody(JSON.stringify({ identifyId: id, propertyKeys: ['AP-TEST-1'], score: version }));
}

/** The body hash of an event, distinct per n. */
export function eventHash(n: number): string {
  return hashBody(
    JSON.stringify({ identifyId: `user-${n % 7}`, eventName: 'signed-in', date: 1_700_000_000_000 + n }),
  );
}

/**
 * node's arguments to run a TypeScript file of this repository: its compiled sibling (`x.ts.mjs`)
 * when this module runs compiled (scripts/compile-tests.mjs), else the file itself through tsx.
 */
export const runTs = (file: string): string[] =>
  import.meta.url.endsWith('.ts.mjs') ? [`${file}.mjs`] : ['--import', 'tsx', file];
