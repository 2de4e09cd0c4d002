/**
 * Caps before destruction (STYLE.md habit 17): a deletion larger than a threshold is refused
 * before its first request, and says its count.
 */
import { LoadError, loadError } from '../../errors.js';

/**
 * Distinct ids a delete (or a mirror) may remove unless told more: Gainsight's documentation
 * sends clean-ups of more than 1,000 records to its support (px-api.md "Deleting").
 */
export const DEFAULT_MAX_DELETES = 1000;

/**
 * The share of the ledger's ids a mirror may delete in one run: 5%, as Backstage's incremental
 * ingestion rejects removals above a percentage. A full export that lost a large part of its
 * rows (a broken query, a truncated file) is far more likely than a 5% churn in a day.
 */
export const MIRROR_MAX_SHARE = 0.05;

/** `maxDeletes` given, checked, or the default. */
export function maxDeletesOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_DELETES;
  if (!(Number.isSafeInteger(value) && value >= 1)) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `\`maxDeletes\` must be a whole number >= 1, got ${String(value)}`,
    );
  }
  return value;
}

const idsText = (n: number) => (n === 1 ? '1 id' : `${n} ids`);

/** A delete's input names more distinct ids than `maxDeletes`: nothing is deleted. */
export function deleteCapExceeded(ids: number, maxDeletes: number, input: string): LoadError {
  return new LoadError(
    'DELETE_CAP_EXCEEDED',
    `refused: ${input} names ${idsText(ids)} to delete, more than \`maxDeletes\` ${maxDeletes}; nothing was deleted. ` +
      'Split the file, or raise `maxDeletes` if this many deletions is meant',
  );
}

/**
 * The mirror's verdict on `missing` ids out of the ledger's `held`: undefined when it may go,
 * else the error that refuses it (over 5% of the ledger, or over `maxDeletes`).
 */
export function mirrorCapExceeded(missing: number, held: number, maxDeletes: number): LoadError | undefined {
  const overShare = missing > held * MIRROR_MAX_SHARE;
  const overMax = missing > maxDeletes;
  if (!overShare && !overMax) return undefined;
  const share = held > 0 ? `${((missing / held) * 100).toFixed(1)}%` : 'all';
  const why = [
    ...(overShare ? [`more than ${MIRROR_MAX_SHARE * 100}% of the ${held} ids the ledger holds`] : []),
    ...(overMax ? [`more than \`maxDeletes\` ${maxDeletes}`] : []),
  ].join(' and ');
  return new LoadError(
    'DELETE_CAP_EXCEEDED',
    `mirror refused: the file lacks ${idsText(missing)} the ledger holds (${share}), ${why}; nothing was deleted. ` +
      'Check that the file is a full export; run `plan` to see them, or `delete` them with a file of their ids',
  );
}
