import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@pxstream/emulator';

/** A long, recognisable key, so a search of every output for it cannot miss. */
export const SECRET_KEY = 'pxk-e2e-SECRET-4f1d9c2ab7e54410b3c6';

export async function emulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ apiKeys: [SECRET_KEY], rateLimit: false, ...options });
}

/** Reads every record of a kind from the emulator's control plane (NDJSON dump). */
export async function dump(handle: EmulatorHandle, type: 'users' | 'accounts' | 'events' | 'preferences') {
  const response = await fetch(`${handle.url}/__emulator/dump?type=${type}`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export async function seed(handle: EmulatorHandle, records: { users?: unknown[]; accounts?: unknown[] }) {
  const response = await fetch(`${handle.url}/__emulator/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(records),
  });
  if (!response.ok) throw new Error(`seed failed: ${response.status} ${await response.text()}`);
}

const VOLATILE = new Set(['createDate', 'lastModifiedDate', 'aptrinsicId']);

/**
 * The records of a kind without the fields the emulator stamps (dates of the write, ids),
 * sorted by key: two loads of the same input compare equal however their requests interleaved.
 */
export async function stableRecords(handle: EmulatorHandle, type: 'users' | 'accounts') {
  const key = type === 'users' ? 'identifyId' : 'id';
  return (await dump(handle, type))
    .map((record) => Object.fromEntries(Object.entries(record).filter(([name]) => !VOLATILE.has(name))))
    .sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
