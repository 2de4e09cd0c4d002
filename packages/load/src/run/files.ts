import { open, stat, unlink, writeFile } from 'node:fs/promises';
import { loadError } from '../errors.js';
import type { LoadReport } from '../report.js';

/**
 * The files a run writes besides its rows: checked before anything is sent (an output that
 * would overwrite the input, an unwritable place), and the report written at the end.
 */

/** A file the run reads (input, config) or writes (rejects, report, checkpoint). */
export interface NamedPath {
  /** How the user names it: `--errors`, `the input`... */
  what: string;
  path: string | undefined;
}

/**
 * Refuses a run whose output would overwrite its own input or config, or two outputs that are
 * one file: the rejects file is truncated at the start, so `--errors users.csv users.csv`
 * would destroy the input before a row is read. Paths are compared resolved, and for files
 * that exist by device and inode (a symlink or hard link is the same file).
 */
export async function checkOutputPaths(reads: NamedPath[], writes: NamedPath[]): Promise<void> {
  const identity = async (path: string) => {
    const info = await stat(path).catch(() => undefined);
    return info ? `${info.dev}:${info.ino}` : `path:${path}`;
  };
  const seen: Array<{ what: string; id: string; path: string; write: boolean }> = [];
  for (const [list, write] of [
    [reads, false],
    [writes, true],
  ] as const) {
    for (const { what, path } of list) {
      if (path === undefined) continue;
      const id = await identity(path);
      const clash = seen.find((other) => other.id === id || other.path === path);
      if (clash && (write || clash.write)) {
        throw loadError(
          'LOAD_OUTPUT_CONFLICT',
          `${what} would overwrite ${clash.what} (${path}): choose another file`,
        );
      }
      seen.push({ what, id, path, write });
    }
  }
}

/** Any operation's report (a load's, a delete's) as JSON, redacted. */
export async function writeReport(
  path: string,
  report: LoadReport | object,
  redact: (text: string) => string,
) {
  try {
    await writeFile(path, `${redact(JSON.stringify(report, null, 2))}\n`);
  } catch (error) {
    throw loadError('LOAD_OUTPUT_UNWRITABLE', `cannot write the report ${path}: ${reason(error)}`, error);
  }
}

/**
 * Proves a file can be written before the load starts (a directory, a missing directory or a
 * read-only place fail here, not after hours of loading), leaving no file behind it created.
 */
export async function checkWritable(path: string, what: string): Promise<void> {
  try {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info?.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    if (info) await (await open(path, 'r+')).close();
    else {
      await (await open(path, 'wx')).close();
      await unlink(path);
    }
  } catch (error) {
    throw loadError('LOAD_OUTPUT_UNWRITABLE', `cannot write the ${what} ${path}: ${reason(error)}`, error);
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return (error as Error).message;
}
