import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RunStatsSnapshot } from '@pxstream/core';
import { checkpointError } from './errors.js';
import type { InputFingerprint } from './fingerprint.js';

export const CHECKPOINT_VERSION = 1;

/** Where to read again: just past the last row every earlier row of which is finished. */
export interface ResumePosition {
  /** Index of the next row to read (the watermark). */
  index: number;
  /** 1-based line of the next byte to read. */
  line: number;
  /** Byte offset of the next byte to read in the input. */
  byteOffset: number;
  /** CSV only: the header read before the stop, and its delimiter. */
  columns?: readonly string[];
  delimiter?: string;
}

/** What a checkpoint file holds (JSON). Never holds the API key. */
export interface Checkpoint {
  version: typeof CHECKPOINT_VERSION;
  /** ISO time of the write. */
  writtenAt: string;
  input: { name: string; fingerprint: InputFingerprint };
  /** Hash of the config and the flags that change the bodies or the rows loaded. */
  settingsHash: string;
  /** Null until the first row is finished: resume then starts from the beginning. */
  position: ResumePosition | null;
  /** Counters of the rows below the watermark: a resumed run starts from these. */
  counters: RunStatsSnapshot;
  /** The rejects file and its size at the watermark: a resume cuts it back to that size. */
  rejects: { path: string; bytes: number };
  /**
   * CUSTOM_EVENT loads: the highest row index that may have been handed to PX. Rows from the
   * watermark up to it may be recorded (PX cannot be asked), so a resume does not send them
   * again. Absent for other types: sending them again is safe.
   */
  sentCeiling?: number;
  /**
   * CUSTOM_EVENT loads with the events ledger: what identified the input for its undated
   * events (a resume must give them the identities the stopped run gave them).
   */
  eventInput?: string;
}

/** Reads a checkpoint; a missing file is `CHECKPOINT_NOT_FOUND`, a damaged one `CHECKPOINT_INVALID`. */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw checkpointError('CHECKPOINT_NOT_FOUND', `no checkpoint at ${path}: nothing to resume`, error);
    }
    throw checkpointError(
      'CHECKPOINT_INVALID',
      `cannot read checkpoint ${path}: ${(error as Error).message}`,
      error,
    );
  }
  let value: Partial<Checkpoint>;
  try {
    value = JSON.parse(text) as Partial<Checkpoint>;
  } catch (error) {
    throw checkpointError('CHECKPOINT_INVALID', `checkpoint ${path} is not valid JSON`, error);
  }
  if (
    value.version !== CHECKPOINT_VERSION ||
    typeof value.settingsHash !== 'string' ||
    typeof value.input?.fingerprint?.headSha256 !== 'string' ||
    typeof value.counters?.read !== 'number' ||
    typeof value.rejects?.bytes !== 'number' ||
    value.position === undefined ||
    (value.sentCeiling !== undefined && !Number.isSafeInteger(value.sentCeiling)) ||
    (value.eventInput !== undefined && typeof value.eventInput !== 'string')
  ) {
    throw checkpointError(
      'CHECKPOINT_INVALID',
      `checkpoint ${path} is not a pxstream checkpoint (version ${CHECKPOINT_VERSION})`,
    );
  }
  return value as Checkpoint;
}

/**
 * Writes a checkpoint atomically: a temporary file beside it, flushed to disk, then renamed
 * over the old one, so a crash at any moment leaves either the old or the new checkpoint.
 */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(checkpoint, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw checkpointError(
      'CHECKPOINT_WRITE_FAILED',
      `cannot write checkpoint ${path}: ${(error as Error).message}`,
      error,
    );
  }
}

export async function removeCheckpoint(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
