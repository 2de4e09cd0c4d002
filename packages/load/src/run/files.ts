import { stat } from 'node:fs/promises';
import { loadError } from '../errors.js';

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
