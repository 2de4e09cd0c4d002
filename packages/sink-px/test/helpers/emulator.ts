/**
 * The PX emulator for the sink's tests, over real sockets on 127.0.0.1. Imported from the
 * emulator's sources (sink-px does not declare it as a dependency), plus the control-plane
 * helpers of the repository's end-to-end tests (`test/helpers/emulator.ts`).
 */
import {
  type EmulatorClocks,
  type EmulatorHandle,
  type EmulatorOptions,
  type EmulatorStats,
  startEmulator,
} from '../../../emulator/src/index.js';
import { PRODUCT_KEY } from './rows.js';

export type { EmulatorHandle, EmulatorOptions, EmulatorStats };
export { startEmulator };

/** A long, recognisable key, so a search of every output for it cannot miss. */
export const SECRET_KEY = 'pxk-sink-SECRET-7a3e91c0d2f84b6e';

/**
 * An emulator accepting `SECRET_KEY`, with no rate limit unless asked; on `clocks` if given
 * (virtual time: `virtualTime(t).emulatorClocks`).
 */
export function emulator(options: EmulatorOptions = {}, clocks?: EmulatorClocks): Promise<EmulatorHandle> {
  return startEmulator({ apiKeys: [SECRET_KEY], rateLimit: false, ...options }, clocks);
}

type Kind = 'users' | 'accounts' | 'events' | 'preferences';

/** Every record of a kind (control-plane NDJSON dump). */
export async function dump(handle: { url: string }, type: Kind): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${handle.url}/__emulator/dump?type=${type}`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export async function seed(handle: { url: string }, records: { users?: unknown[]; accounts?: unknown[] }) {
  const response = await fetch(`${handle.url}/__emulator/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(records),
  });
  if (!response.ok) throw new Error(`seed failed: ${response.status} ${await response.text()}`);
}

const VOLATILE = new Set(['createDate', 'lastModifiedDate', 'aptrinsicId', 'numberOfVisits']);

/** Records without the fields the emulator stamps, keyed by id. */
export async function recordsById(handle: { url: string }, type: 'users' | 'accounts') {
  const key = type === 'users' ? 'identifyId' : 'id';
  const out = new Map<string, Record<string, unknown>>();
  for (const record of await dump(handle, type)) {
    const id = String(record[key]);
    if (out.has(id)) throw new Error(`duplicate ${type} record ${id}`);
    out.set(id, Object.fromEntries(Object.entries(record).filter(([name]) => !VOLATILE.has(name))));
  }
  return out;
}

/** Users with these ids (and `extra` fields), as the seed endpoint takes them. */
export function seedUsers(ids: readonly string[], extra: Record<string, unknown> = {}) {
  return ids.map((identifyId) => ({ identifyId, propertyKeys: [PRODUCT_KEY], ...extra }));
}

/** The emulators one test file starts, closed together in its `after` hook. */
export function emulatorPool() {
  const started: EmulatorHandle[] = [];
  return {
    /** Starts an emulator (see `emulator`) and seeds it when asked. */
    async start(
      options: EmulatorOptions = {},
      records?: { users?: unknown[]; accounts?: unknown[] },
      clocks?: EmulatorClocks,
    ): Promise<EmulatorHandle> {
      const px = await emulator(options, clocks);
      started.push(px);
      if (records) await seed(px, records);
      return px;
    },
    closeAll: () => Promise.all(started.map((px) => px.close())),
  };
}
