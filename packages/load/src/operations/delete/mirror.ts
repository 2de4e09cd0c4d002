/**
 * Mirror (`deleteMissing`, README "Deleting"): after a `changedOnly` load of a full export, the
 * ids the target's ledger holds that the file lacks are deleted from PX, so PX holds what the
 * export holds. Caps first: more than 5% of the ledger's ids, or more than `maxDeletes`, and
 * nothing is deleted (`DELETE_CAP_EXCEEDED`): a truncated export or a broken query must not
 * empty PX.
 */
import { loadError } from '../../errors.js';
import type { LoadOptions } from '../../options.js';
import type { MirrorFigures } from '../../report.js';
import { openInput } from '../../run/input.js';
import type { PassContext, PassResult } from '../../run/pass-context.js';
import { noRejectsFile } from '../../run/rejects.js';
import { planResume } from '../load/checkpoint-setup.js';
import { maxDeletesOf, mirrorCapExceeded } from './caps.js';
import { type InputIds, keySteps, readInputIds } from './ids.js';
import { idsInPx } from './ids-in-px.js';
import { runDeletePass } from './pass.js';
import { type DeleteSettings, keyColumnOf } from './settings.js';

/** The mirror's options checked with the load's, before anything is read. */
export function checkMirrorOptions(options: LoadOptions): void {
  const refuse = (message: string) => {
    throw loadError('LOAD_INVALID_OPTION', message);
  };
  if (!options.deleteMissing) {
    if (options.maxDeletes !== undefined) refuse('`maxDeletes` applies to `deleteMissing`');
    return;
  }
  maxDeletesOf(options.maxDeletes);
  const type = String(options.type).toUpperCase();
  if (type === 'ACCOUNT') {
    refuse(
      '`deleteMissing` deletes users only: deleting an account deletes all its users; delete accounts with `pxstream delete --cascade`',
    );
  }
  if (type !== 'USER') refuse(`\`deleteMissing\` deletes users only: PX cannot delete ${type}`);
  if (!options.changedOnly)
    refuse('`deleteMissing` needs `changedOnly`: the ledger tells what the file lacks');
  if (options.startRow !== undefined || options.lastRow !== undefined) {
    refuse('`deleteMissing` reads a full export: not with `startRow` or `lastRow`');
  }
  if (options.dryRun) refuse('`deleteMissing` with `dryRun`: use `plan` to see the deletions');
}

/**
 * Runs the mirror after a load that read every row; a load that stopped says nothing of what
 * its file lacks. A failure (a cap, PX) becomes the run's error; a stop its interruption.
 */
export async function mirrorAfterLoad(
  pass: PassContext,
  result: PassResult,
): Promise<MirrorFigures | undefined> {
  if (!pass.options.deleteMissing) return undefined;
  if (result.error || !result.complete) {
    pass.log.warn('`deleteMissing`: the load did not finish, so nothing was deleted');
    return undefined;
  }
  const figures: MirrorFigures = {
    held: 0,
    missing: 0,
    refused: false,
    deleted: 0,
    alreadyGone: 0,
    rejected: 0,
    planned: null,
    requests: 0,
  };
  try {
    await mirror(pass, result, figures);
  } catch (error) {
    result.error = error;
  }
  return figures;
}

async function mirror(pass: PassContext, result: PassResult, figures: MirrorFigures): Promise<void> {
  const { config, settings, options, input, log } = pass;
  const ledger = pass.ledger;
  if (ledger?.kind !== 'records') return; // `changedOnly` always has one
  const type = 'USER' as const;
  const maxDeletes = maxDeletesOf(options.maxDeletes);
  const keys = keySteps(type, config, keyColumnOf(config, type));
  const counted = await readInputIds(input, settings.format, keys, options.signal);
  checkReadable(counted);
  figures.held = ledger.counts().records;
  const missing = ledger.missingFrom(counted.ids, maxDeletes + 1);
  figures.missing = missing.count;
  const refusal = mirrorCapExceeded(missing.count, figures.held, maxDeletes);
  if (refusal) {
    figures.refused = true;
    throw refusal;
  }
  if (missing.count === 0) return;
  if (settings.plan && !config.apiKey) {
    log.info(
      `\`deleteMissing\`: ${missing.count} ids the file lacks would be deleted (no API key: PX not read to name them)`,
    );
    return;
  }
  const found = await idsInPx(missing.fingerprints, {
    config,
    type,
    timeoutMs: settings.timeoutMs,
    wait: settings.wait,
    requestBudget: pass.budget,
    onWait: pass.waits.onWait,
    signal: options.signal,
  });
  figures.requests += found.requests;
  figures.alreadyGone = found.absent.length;
  if (settings.plan) {
    figures.planned = found.ids;
    return;
  }
  for (const fingerprint of found.absent) ledger.forgetFingerprint(fingerprint);
  if (found.ids.length === 0 || options.signal?.aborted) {
    result.interrupted ||= options.signal?.aborted === true;
    return;
  }
  log.info(`\`deleteMissing\`: deleting ${found.ids.length} users the file lacks (soft delete)`);
  await deleteIds(pass, result, found.ids, keys, figures);
}

/** A row the source could not parse may hold an id: deleting "what the file lacks" would guess. */
function checkReadable(counted: InputIds): void {
  if (counted.unparsable === 0) return;
  throw loadError(
    'DELETE_MIRROR_UNSAFE',
    `\`deleteMissing\` refused: ${counted.unparsable} rows of the file could not be read, so the ids it lacks are not known; nothing was deleted`,
  );
}

/** The ids deleted through the delete's pass (the load's limiter, waits, budget, stops). */
async function deleteIds(
  pass: PassContext,
  result: PassResult,
  ids: string[],
  keys: ReturnType<typeof keySteps>,
  figures: MirrorFigures,
): Promise<void> {
  const { config, options } = pass;
  const settings: DeleteSettings = {
    ...pass.settings,
    type: 'USER',
    format: 'objects',
    hard: false,
    cascade: false,
    maxDeletes: maxDeletesOf(options.maxDeletes),
    startRow: undefined,
    lastRow: undefined,
    resume: false,
    checkpoint: undefined,
    rejects: undefined,
    report: undefined,
  };
  const input = await openInput(
    ids.map((id) => ({ [keys.column]: id })),
    settings.cwd,
  );
  const forgotten = { path: pass.ledger!.dir, forgotten: 0 };
  const deletes = await runDeletePass({
    config,
    settings,
    options: {
      config: options.config,
      type: 'USER',
      input: [],
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.forceSignal ? { forceSignal: options.forceSignal } : {}),
      ...(options.onRejection ? { onRejection: options.onRejection } : {}),
    },
    input,
    keys,
    checkpoint: await planResume(config, settings, input),
    rejects: noRejectsFile(),
    onRejectsError: () => {},
    log: pass.log,
    secrets: pass.secrets,
    ledger: pass.ledger,
    forgotten,
    budget: pass.budget,
    waits: pass.waits,
  });
  figures.deleted = deletes.stats.updated;
  figures.alreadyGone += deletes.stats.skipped;
  figures.rejected = deletes.stats.rejected;
  figures.requests += deletes.sinkFigures().requests;
  result.error ??= deletes.error;
  result.interrupted ||= deletes.interrupted;
  result.aborted ||= deletes.aborted;
  if (!deletes.complete) result.complete = false;
}
