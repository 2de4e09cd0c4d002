import { basename, dirname, extname, join, resolve } from 'node:path';
import { keyFieldOf, type PxConfig } from '@pxstream/config';
import { loadError } from '../../errors.js';
import type { OpenedInput } from '../../run/input.js';
import { type RunSettings, resolveSettings } from '../../settings.js';
import { maxDeletesOf } from './caps.js';
import type { DeleteOptions } from './types.js';

/** A delete's settings: a load's (the shared parts read them), and its own. */
export interface DeleteSettings extends RunSettings {
  type: 'USER' | 'ACCOUNT';
  hard: boolean;
  cascade: boolean;
  maxDeletes: number;
}

/**
 * Checks what needs no config nor input: the type (users and accounts only; an account only
 * with `cascade`), `hard` (users), `maxDeletes`, and the options a load checks too.
 */
export function resolveDeleteSettings(
  options: DeleteOptions,
): Omit<DeleteSettings, 'format'> & { format: DeleteSettings['format'] | undefined } {
  const type = String(options.type ?? '').toUpperCase();
  if (type === 'CUSTOM_EVENT' || type === 'USER_PREFERENCES') {
    const what = type === 'CUSTOM_EVENT' ? 'custom events' : 'user preferences';
    throw loadError(
      'LOAD_INVALID_OPTION',
      `PX's API cannot delete ${what}: only USER and ACCOUNT can be deleted`,
    );
  }
  if (type !== 'USER' && type !== 'ACCOUNT') {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `\`type\` must be USER or ACCOUNT to delete, got "${String(options.type)}"`,
    );
  }
  const hard = options.hard === true;
  const cascade = options.cascade === true;
  if (type === 'ACCOUNT' && !cascade) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      'deleting an account deletes all its users in PX: say so with `cascade`, or delete the users you mean instead',
    );
  }
  if (type === 'USER' && cascade) throw loadError('LOAD_INVALID_OPTION', '`cascade` applies to accounts');
  if (type === 'ACCOUNT' && hard) {
    throw loadError('LOAD_INVALID_OPTION', '`hard` applies to users: PX has no hard delete of accounts');
  }
  const maxDeletes = maxDeletesOf(options.maxDeletes);
  if (options.plan && options.resume)
    throw loadError('LOAD_INVALID_OPTION', '`plan` sends nothing: not with `resume`');
  // A load's own checks, on the options a delete shares with it (plan and resume said above).
  const given = resolveSettings({
    ...options,
    onProgress: undefined,
    onRow: undefined,
    type,
    plan: false,
    input: options.input,
  });
  return {
    ...given,
    type,
    hard,
    cascade,
    maxDeletes,
    plan: options.plan === true,
    dryRun: options.plan === true,
  };
}

/** The column the mapping gives the key (`identifyId` for users, `id` for accounts). */
export function keyColumnOf(config: PxConfig, type: 'USER' | 'ACCOUNT'): string {
  const column = config.fieldMapping[type]?.[keyFieldOf(type)];
  if (column === undefined) {
    // The config loader refuses a mapping without its key; a library caller may not have one.
    throw loadError('LOAD_INVALID_OPTION', `the config maps no column to ${keyFieldOf(type)} for ${type}`);
  }
  return column;
}

/**
 * The config as a checkpoint's settings hash sees it: the only mapping a delete reads (its key
 * column) and what it does (soft or hard), so that a delete never resumes a load's checkpoint
 * of the same file, nor a soft delete a hard one's.
 */
export function configForHash(config: PxConfig, settings: DeleteSettings, column: string): PxConfig {
  const mode = settings.hard ? 'hard' : settings.cascade ? 'cascade' : 'soft';
  return {
    ...config,
    fieldMapping: { [settings.type]: { [keyFieldOf(settings.type)]: column, '(delete)': mode } },
  };
}

/**
 * The default files of a delete (`true`), named apart from a load's of the same input:
 * `<input>_delete_checkpoint.json` (or beside the report) and `<input>_delete_rejects.csv`.
 */
export function defaultFiles(settings: DeleteSettings, input: OpenedInput): DeleteSettings {
  const name = input.path ? input.name : 'pxstream';
  const extension = settings.format === 'csv' ? 'csv' : 'jsonl';
  const rejects =
    settings.rejects === true
      ? resolve(settings.cwd, `${name}_delete_rejects.${extension}`)
      : settings.rejects;
  let checkpoint = settings.checkpoint;
  if (checkpoint === true && input.kind !== 'objects') {
    checkpoint = settings.report
      ? join(
          dirname(settings.report),
          `${basename(settings.report, extname(settings.report))}.checkpoint.json`,
        )
      : join(settings.cwd, `${name}_delete_checkpoint.json`);
  }
  return { ...settings, rejects, checkpoint };
}
