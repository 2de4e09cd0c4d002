/**
 * A rebuilt ledger replaces the old one whole: it is built in a directory of its own beside the
 * old one (same file system, so renames are atomic), and swapped in only once complete. Until
 * then the old ledger stays as it was, locked (a load into the target is refused meanwhile); a
 * stopped or failed rebuild removes its directory and changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PxStreamError } from '@pxstream/core';

/** A sibling of `dir` that no other run names: `<dir>.<what>-<pid>-<random>`. */
export function siblingDir(dir: string, what: 'rebuild' | 'old'): string {
  return join(dirname(dir), `${basename(dir)}.${what}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Puts `fresh` (a closed ledger) in place of `dir` (closed too): `dir` is moved aside, `fresh`
 * renamed to it, the old one removed. Between the two renames `dir` does not exist; should the
 * second rename fail, the old ledger is put back.
 */
export async function swapLedger(dir: string, fresh: string): Promise<void> {
  const old = siblingDir(dir, 'old');
  try {
    await rename(dir, old);
  } catch (error) {
    throw ioFailed(`cannot move the old ledger ${dir} aside`, error);
  }
  try {
    await rename(fresh, dir);
  } catch (error) {
    await rename(old, dir).catch(() => {});
    throw ioFailed(`cannot put the rebuilt ledger in place of ${dir}`, error);
  }
  await rm(old, { recursive: true, force: true }).catch(() => {});
}

function ioFailed(what: string, cause: unknown): PxStreamError {
  return new PxStreamError('LEDGER_IO_FAILED', `${what}: ${(cause as Error).message}`, {
    fatal: true,
    cause,
  });
}
