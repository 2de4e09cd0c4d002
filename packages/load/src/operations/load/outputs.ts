import { unlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PxConfig } from '@pxstream/config';
import { openRejectsWriter, type RejectsWriter } from '@pxstream/sink-errors';
import type { LoadOptions } from '../../options.js';
import { checkOutputPaths, checkWritable } from '../../run/files.js';
import type { OpenedInput } from '../../run/input.js';
import type { LoadLog } from '../../run/log.js';
import type { RunCheckpoint } from '../../run/pass-context.js';
import { noRejectsFile } from '../../run/rejects.js';
import type { RunSettings } from '../../settings.js';

/** The files a load writes besides PX: its rejects file (open), and its report's path. */
export interface LoadOutputs {
  rejects: RejectsWriter;
  /** The rejects file's path; undefined when none was asked for. */
  rejectsPath: string | undefined;
  /** Stops the load when the rejects file fails mid-run (set once the pass runs). */
  onRejectsError: (error: unknown) => void;
  /**
   * Closes the rejects file: its path when it holds rejections, else null (an empty one this
   * run created is removed), and the error of a close that failed. Safe to call twice.
   */
  close(): Promise<{ file: string | null; error: unknown }>;
}

/**
 * Checks every output before anything is sent (none may overwrite the input, the config or
 * another; each must be writable) and opens the rejects file: a place that cannot be written
 * stops the load before the first request, not after hours of it.
 */
export async function openOutputs(run: {
  options: LoadOptions;
  settings: RunSettings;
  config: PxConfig;
  input: OpenedInput;
  checkpoint: RunCheckpoint;
  log: LoadLog;
}): Promise<LoadOutputs> {
  const { options, settings, config, input, checkpoint, log } = run;
  const rejectsPath = rejectsFilePath(settings, input, checkpoint, log);
  await checkOutputPaths(
    [
      { what: 'the input', path: input.path },
      { what: 'the config', path: typeof options.config === 'string' ? config.path : undefined },
    ],
    [
      { what: 'the rejects file', path: rejectsPath },
      { what: 'the report', path: settings.report },
      { what: 'the checkpoint', path: checkpoint.path },
    ],
  );
  const outputs: LoadOutputs = {
    rejects: noRejectsFile(),
    rejectsPath,
    onRejectsError: () => {},
    close: async () => {
      const error = await outputs.rejects.close().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      const file = rejectsPath === undefined ? null : await keepOrRemove(outputs.rejects, rejectsPath);
      return { file, error };
    },
  };
  if (rejectsPath !== undefined) {
    outputs.rejects = await openRejectsWriter({
      path: rejectsPath,
      format: settings.format === 'csv' ? 'csv' : 'jsonl',
      redact: log.redact,
      // A write failing mid-run (disk full) stops the load: no row may end unrecorded.
      onError: (error) => outputs.onRejectsError(error),
      ...(checkpoint.from ? { resume: { bytes: checkpoint.from.rejects.bytes } } : {}),
    });
  }
  if (settings.report) await checkWritable(settings.report, 'report');
  return outputs;
}

/**
 * The rejects file asked for: a path, or `true` for `<input name>_rejects.csv|.jsonl` in the
 * working directory (`pxstream_rejects.*` for a stream). A resume appends to the file of the
 * run it continues.
 */
function rejectsFilePath(settings: RunSettings, input: OpenedInput, checkpoint: RunCheckpoint, log: LoadLog) {
  if (settings.rejects === undefined) return undefined;
  const extension = settings.format === 'csv' ? 'csv' : 'jsonl';
  const chosen =
    settings.rejects === true
      ? resolve(settings.cwd, `${input.path ? input.name : 'pxstream'}_rejects.${extension}`)
      : settings.rejects;
  const earlier = checkpoint.from?.rejects.path;
  if (earlier === undefined || earlier === chosen) return chosen;
  log.warn(`\`resume\`: appending to the rejects file of the interrupted run, ${earlier}`);
  return earlier;
}

/** An empty rejects file this run created goes: only a file with rejections stays. */
async function keepOrRemove(rejects: RejectsWriter, path: string): Promise<string | null> {
  if (rejects.count > 0) return path;
  if (rejects.createdEmpty) await unlink(path).catch(() => {});
  return rejects.createdEmpty ? null : path;
}
