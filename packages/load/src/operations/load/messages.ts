import { type LedgerFigures, RECORDED_EARLIER, recordedKeyReason } from '@pxstream/ledger';
import type { LoadLog } from '../../run/log.js';
import type { PassResult, RunCheckpoint } from '../../run/pass-context.js';
import type { RunSettings } from '../../settings.js';

/**
 * What a load says besides its counts, in the library's words: options are named as the
 * library spells them, in backquotes (`insertMissing`), which the CLI turns into its flags.
 */

/** What the ledger did, in a line or two. */
export function sayLedger(
  figures: LedgerFigures,
  rules: { eventKey: string | undefined; retentionDays: number },
  log: LoadLog,
): void {
  if (figures.unchanged > 0) {
    log.info(`${figures.unchanged} rows unchanged since PX last confirmed them: skipped (\`changedOnly\`)`);
  }
  if (figures.expired > 0) {
    log.info(
      `${figures.expired} events recorded more than ${rules.retentionDays} days ago were forgotten by the ledger (its retention window)`,
    );
  }
  if (figures.alreadySent > 0) {
    log.info(
      `${figures.alreadySent} events ${RECORDED_EARLIER}: not sent again (\`ledger: false\` sends them anyway)`,
    );
  }
  if (figures.alreadyByKey > 0) {
    log.info(`${figures.alreadyByKey} events ${recordedKeyReason(rules.eventKey)}: not sent again`);
  }
  if (figures.inDoubt > 0) {
    log.warn(
      `${figures.inDoubt} events were sent by an earlier run that stopped before PX answered: not sent again, ` +
        'in the rejects file as PX_EVENT_MAYBE_RECORDED (check PX for them)',
    );
  }
}

/** Ids on more than one row: their rows go in file order, the last one wins. */
export function repeatedLine(ids: number, dryRun: boolean): string {
  const which = ids === 1 ? '1 id was' : `${ids} ids were`;
  return dryRun
    ? `${which} on more than one row: a load applies their rows in file order, so the last row of each wins`
    : `${which} on more than one row: their rows were applied in file order, so the last row of each won`;
}

/**
 * Every row PX was asked about was skipped as "no match" (update mode): the ids are not in
 * PX. Said once at the end, with the option that creates them where there is one.
 */
export function noMatchHint(result: PassResult, settings: RunSettings): string | undefined {
  const stats = result.stats;
  const noMatch = stats.skippedByReason.get('no match') ?? 0;
  if (settings.dryRun || noMatch === 0 || stats.updated + stats.inserted > 0) return undefined;
  const what = settings.type === 'ACCOUNT' ? 'accounts' : 'users';
  const fix =
    settings.type === 'USER_PREFERENCES'
      ? 'preferences apply only to users PX already has: load the users first'
      : '`insertMissing` creates them';
  return `none of the ${noMatch} ${what} was found in PX: every row was skipped as "no match"; ${fix}`;
}

export function resumeLine(checkpoint: RunCheckpoint): string {
  const position = checkpoint.from?.position;
  const done = checkpoint.from?.counters.read ?? 0;
  return position
    ? `resuming at row ${position.index} (line ${position.line}): ${done} rows were finished before`
    : 'resuming from the first row: no row was finished before';
}

/** `resume` with nothing to resume: not an error (a cron line may always say `resume`). */
export function noCheckpointLine(path: string): string {
  return `\`resume\`: no checkpoint at ${path}: nothing to resume, starting at the first row`;
}

/** What the end of a pass has to say: the ledger, an empty range, repeated ids, no match. */
export function sayOutcome(
  run: { result: PassResult; settings: RunSettings; checkpoint: RunCheckpoint; log: LoadLog },
  ledger:
    | { figures: LedgerFigures; rules: { eventKey: string | undefined; retentionDays: number } }
    | undefined,
): void {
  const { result, settings, checkpoint, log } = run;
  if (ledger && !settings.plan) sayLedger(ledger.figures, ledger.rules, log);
  if (result.complete && result.stats.read === 0 && (settings.startRow ?? 0) > 0 && !checkpoint.from) {
    log.warn(`no row loaded: the input has no data row at or after \`startRow\` ${settings.startRow}`);
  }
  // A run that failed says why instead (a partial count; a dry run whose reader went away is quiet).
  if (result.repeatedIds && !result.error) log.info(repeatedLine(result.repeatedIds, settings.dryRun));
  const hint = noMatchHint(result, settings);
  if (hint) log.warn(hint);
}
