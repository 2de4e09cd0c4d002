import { basename, dirname, extname, join } from 'node:path';
import {
  type Checkpoint,
  fingerprintHead,
  fingerprintMismatch,
  HEAD_BYTES,
  readCheckpoint,
  stableHash,
} from '@pxstream/checkpoint';
import type { PxConfig } from '@pxstream/config';
import { LoadError } from '../../errors.js';
import { checkInputEncoding } from '../../run/encoding.js';
import type { OpenedInput } from '../../run/input.js';
import type { RunCheckpoint } from '../../run/pass-context.js';
import type { RunSettings } from '../../settings.js';
import { eventRules } from './ledger-setup.js';

/**
 * The checkpoint file asked for: a path, or (`true`) beside the report (`run.json` ->
 * `run.checkpoint.json`), else `<input name>_checkpoint.json` in the working directory.
 * Objects get none unless a path is given: nothing tells a resumed cursor from another.
 */
export function checkpointPath(settings: RunSettings, input: OpenedInput): string | undefined {
  if (settings.checkpoint === undefined) return undefined;
  if (settings.checkpoint !== true) return settings.checkpoint;
  if (input.kind === 'objects') return undefined;
  if (settings.report) {
    const report = settings.report;
    return join(dirname(report), `${basename(report, extname(report))}.checkpoint.json`);
  }
  return join(settings.cwd, `${input.path ? input.name : 'pxstream'}_checkpoint.json`);
}

/**
 * Hash of everything that decides which rows are loaded, what is sent for them and where to:
 * resuming into another PX (another data center or base URL) would skip rows it never got.
 * The key, rate and concurrency are left out: they change how, not what.
 */
export function settingsHash(config: PxConfig, options: RunSettings): string {
  return stableHash({
    type: options.type,
    format: options.format,
    insertMissing: options.insertMissing,
    startRow: options.startRow ?? null,
    lastRow: options.lastRow ?? null,
    mapping: config.fieldMapping[options.type] ?? {},
    productKeys: config.productKeys,
    timezone: config.timezone,
    attributeTypes: config.attributeTypes,
    target: config.baseUrl,
    // Which events are one event (absent, as in checkpoints written before it, unless named).
    eventKey: eventRules(options, config).eventKey,
  });
}

/**
 * Reads the input's head (encoding check, fingerprint) and, with `resume`, the checkpoint; when
 * there is none, the run starts at the first row and `missing` names where it looked.
 */
export async function planResume(
  config: PxConfig,
  options: RunSettings,
  input: OpenedInput,
): Promise<RunCheckpoint> {
  const head = await input.head(HEAD_BYTES);
  if (input.kind !== 'objects') checkInputEncoding(head, input.path ? basename(input.path) : input.name);
  const fingerprint = fingerprintHead(head, input.fileSize ?? null);
  const hash = settingsHash(config, options);
  const empty = head.length === 0 && input.kind !== 'objects';
  // A dry run sends nothing, and the embedded emulator forgets everything at exit: neither resumes.
  if (options.dryRun || options.emulator)
    return { path: undefined, fingerprint, settingsHash: hash, from: undefined, empty };
  const path = checkpointPath(options, input);
  if (!options.resume) return { path, fingerprint, settingsHash: hash, from: undefined, empty };
  if (path === undefined) {
    throw new LoadError('LOAD_INVALID_OPTION', '`resume` needs a checkpoint: name one (`checkpoint`)');
  }
  let from: Checkpoint;
  try {
    from = await readCheckpoint(path);
  } catch (error) {
    // Nothing to resume (the first night of a cron line that always says `resume`, or a load
    // that finished): start at the first row, and say so.
    if ((error as LoadError).code === 'CHECKPOINT_NOT_FOUND') {
      return { path, fingerprint, settingsHash: hash, from: undefined, empty, missing: path };
    }
    throw new LoadError(
      (error as LoadError).code ?? 'CHECKPOINT_INVALID',
      `\`resume\`: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const changed = fingerprintMismatch(from.input.fingerprint, fingerprint);
  if (changed) {
    throw new LoadError(
      'RESUME_REFUSED',
      `\`resume\` refused: the input is not the one the checkpoint was written for (${changed}); ` +
        `load it afresh without \`resume\`, or delete ${path}`,
    );
  }
  if (from.settingsHash !== hash) {
    throw new LoadError(
      'RESUME_REFUSED',
      '`resume` refused: the config or the options that decide the bodies (`type`, `format`, `insertMissing`, ' +
        `row range, mapping, event key, product keys, timezone, attribute types, PX base URL or data center) changed ` +
        `since the checkpoint ${path}`,
    );
  }
  return { path, fingerprint, settingsHash: hash, from, empty };
}
