import { type FileHandle, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { ledgerError } from './errors.js';
import { describeTarget, type LedgerKind, type LedgerTarget } from './target.js';

export const META_FILE = 'ledger.json';
export const SNAPSHOT_FILE = 'snapshot.bin';
export const JOURNAL_FILE = 'journal.bin';
export const LOCK_FILE = 'lock';
const FORMAT = 'pxstream-ledger';
const META_VERSION = 1;

/** ledger.json: what the ledger is for. Written once, when the ledger is created. */
export interface LedgerMeta {
  format: typeof FORMAT;
  version: typeof META_VERSION;
  kind: LedgerKind;
  targetId: string;
  target: LedgerTarget;
  createdAt: string;
}

export function newMeta(kind: LedgerKind, targetId: string, target: LedgerTarget): LedgerMeta {
  return {
    format: FORMAT,
    version: META_VERSION,
    kind,
    targetId,
    target,
    createdAt: new Date().toISOString(),
  };
}

/** The ledger's description, or undefined when the directory holds none (or does not exist). */
export async function readMeta(dir: string): Promise<LedgerMeta | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, META_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let meta: Partial<LedgerMeta>;
  try {
    meta = JSON.parse(text) as Partial<LedgerMeta>;
  } catch (error) {
    throw ledgerError('LEDGER_NOT_A_LEDGER', `${join(dir, META_FILE)} is not valid JSON`, error);
  }
  if (
    meta.format !== FORMAT ||
    meta.version !== META_VERSION ||
    typeof meta.targetId !== 'string' ||
    !meta.target
  ) {
    throw ledgerError(
      'LEDGER_NOT_A_LEDGER',
      `${join(dir, META_FILE)} is not a pxstream ledger (version ${META_VERSION})`,
    );
  }
  return meta as LedgerMeta;
}

/** Refuses a ledger made for another target: pointing --ledger at the wrong place must not mix them. */
export function checkTarget(dir: string, meta: LedgerMeta, targetId: string, target: LedgerTarget): void {
  if (meta.targetId !== targetId) {
    throw ledgerError(
      'LEDGER_TARGET_MISMATCH',
      `the ledger in ${dir} is for ${describeTarget(meta.target)}, not ${describeTarget(target)}`,
    );
  }
}

/** Files other than the ledger's own (and dot-files): a directory that is not a ledger. */
export async function foreignEntries(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const own = new Set([META_FILE, SNAPSHOT_FILE, JOURNAL_FILE, LOCK_FILE]);
  return names.filter((name) => !own.has(name) && !name.startsWith('.') && !name.endsWith('.tmp'));
}

/** Writes a file so that a crash leaves the old content or the new, flushed to disk. */
/** The file opened for reading, or undefined when it does not exist. */
export async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDir(dirname(path));
}

/** Flushes a directory's entries (a rename or a new file) to disk; a no-op where unsupported. */
export async function syncDir(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Takes the ledger's write lock: a `lock` file holding this process's pid and host. A lock left
 * by a dead process on this host (kill -9, power loss) is taken over; a live one is refused.
 */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, host: hostname() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(mine);
      await handle.close();
      return () => unlink(path).catch(() => {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(path);
    if (holder && (holder.host !== hostname() || isAlive(holder.pid))) {
      throw ledgerError(
        'LEDGER_LOCKED',
        `the ledger in ${dir} is in use by process ${holder.pid} on ${holder.host}` +
          ` (delete ${path} if that process is gone)`,
      );
    }
    await unlink(path).catch(() => {});
  }
  throw ledgerError('LEDGER_LOCKED', `could not take the lock ${path}`);
}

async function readLock(path: string): Promise<{ pid: number; host: string } | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; host?: unknown };
    return typeof value.pid === 'number' && typeof value.host === 'string'
      ? { pid: value.pid, host: value.host }
      : undefined;
  } catch {
    return undefined; // unreadable or half-written by a crash: stale
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads into all of `target` from `position`, in as many reads as it takes; returns the bytes read (fewer at the end of the file). */
export async function readInto(handle: FileHandle, target: Uint8Array, position: number): Promise<number> {
  let read = 0;
  while (read < target.length) {
    const { bytesRead } = await handle.read(target, read, target.length - read, position + read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return read;
}
