import type { LoadReport } from '@pxstream/load';
import type { Logger } from './logger.js';

/** `N deleted, N already gone, N errors`. */
export function deleteCounts(counts: { deleted: number; alreadyGone: number; rejected: number }): string {
  return `${counts.deleted} deleted, ${counts.alreadyGone} already gone, ${counts.rejected} errors`;
}

/** The closing line of a delete (and of a mirror), kept exactly: `DELETED: N deleted, N already gone, N errors`. */
export function deletedLine(counts: { deleted: number; alreadyGone: number; rejected: number }): string {
  return `DELETED: ${deleteCounts(counts)}`;
}

/**
 * What a load with --delete-missing adds to its summary: on stdout, after the DONE line, the
 * mirror's `DELETED: N deleted, N already gone, N errors`; with --plan, `MIRROR PLAN: ...` and
 * each id it would delete on stderr (`would delete u-7`).
 */
export function sayMirror(out: NodeJS.WritableStream, log: Logger, report: LoadReport): void {
  const mirror = report.mirror;
  if (!mirror || mirror.refused) return;
  if (!report.plan) {
    out.write(`${deletedLine(mirror)}\n`);
    return;
  }
  const named = mirror.planned ?? [];
  out.write(
    `MIRROR PLAN: ${mirror.missing} of the ledger's ${mirror.held} users are not in the file: ${mirror.planned ? named.length : mirror.missing} would be deleted, ${mirror.alreadyGone} already gone\n`,
  );
  for (const id of named) log.info(`would delete ${JSON.stringify(id)}`, 'MIRROR_PLAN');
}
