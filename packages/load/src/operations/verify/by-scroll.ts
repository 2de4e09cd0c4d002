/**
 * Verify over PX's scroll: every record of the type, 1,000 a request, held against the input's
 * ids in an `IdTable` (the input was read first, keeping per id only hashes). Memory stays
 * bounded by the input's ids, not their rows: a record is compared by the hash of its values of
 * the row's fields and dropped. Only a record that differs is kept (its compared fields, for the
 * differences file), and only when a differences file is asked for; its fields are named at the
 * end, from the input read again (a file) or the rows kept (a stream or objects).
 */
import type { JsonObject, RowEnvelope } from '@pxstream/core';
import type { ListPage } from '@pxstream/sink-px';
import { readPxRecords } from '@pxstream/source-px';
import { sayScrollRestart } from '../../run/read-setup.js';
import { type KeptRow, type VerifyContext, writeDifferences, writeMissing } from './context.js';
import { DIFFER, type IdTable, MATCH, UNSEEN } from './id-table.js';

export interface ScrollPass {
  table: IdTable;
  /** The rows kept in the first pass (an input that cannot be read twice), by ordinal. */
  kept: ReadonlyArray<KeptRow | undefined> | undefined;
  /** The scroll's first page, read as the count (`firstPageQuery`): the scroll goes on from it. */
  firstPage: ListPage | undefined;
  /** Reads the input again, handing each mapped row on (a file); used when `kept` is undefined. */
  reread: (onRow: (row: RowEnvelope) => Promise<void> | undefined) => Promise<void>;
}

export async function verifyByScroll(ctx: VerifyContext, pass: ScrollPass): Promise<void> {
  const { setup, figures, comparer, keyField, signal, diff } = ctx;
  const { table } = pass;
  /** PX's values of the compared fields of the ids that differ (kept only for a differences file). */
  const differing = new Map<number, JsonObject>();
  const hash = new Uint32Array(2);
  let notInInput = 0;
  const reader = readPxRecords({
    client: setup.client,
    type: setup.type,
    ...(pass.firstPage ? { firstPage: pass.firstPage } : {}),
    ...(signal ? { signal } : {}),
    onPage: ({ stats }) => {
      figures.pages = stats.pages;
      figures.records = stats.records;
      ctx.progress();
    },
    onRestart: sayScrollRestart(setup.log),
  });
  for await (const record of reader) {
    const id = record[keyField];
    const ordinal = typeof id === 'string' ? table.get(id) : -1;
    if (ordinal < 0 || table.states[ordinal] !== UNSEEN) {
      notInInput++;
      continue;
    }
    const fieldSet = table.fieldSets[ordinal]!;
    comparer.hashOf(record, fieldSet, hash, 0);
    const same = hash[0] === table.hashes[ordinal * 2] && hash[1] === table.hashes[ordinal * 2 + 1];
    table.states[ordinal] = same ? MATCH : DIFFER;
    if (!same && diff) differing.set(ordinal, comparer.project(record, fieldSet));
  }
  if (signal?.aborted) return;
  figures.notInInput = notInInput;
  for (let ordinal = 0; ordinal < table.size; ordinal++) {
    const state = table.states[ordinal];
    if (state === MATCH) figures.match++;
    else if (state === DIFFER) figures.differ++;
    else figures.missing++;
  }
  if (diff && figures.differ + figures.missing > 0) await nameDifferences(ctx, pass, differing);
}

/** The differences file: each differing field of each id that differs, each missing id, in input order. */
async function nameDifferences(
  ctx: VerifyContext,
  pass: ScrollPass,
  differing: ReadonlyMap<number, JsonObject>,
): Promise<void> {
  const { table } = pass;
  ctx.figures.phase = 'diff';
  ctx.progress();
  const name = async (row: KeptRow, ordinal: number) => {
    const state = table.states[ordinal];
    if (state === UNSEEN) await writeMissing(ctx, row);
    else if (state === DIFFER) await writeDifferences(ctx, row, differing.get(ordinal) ?? {});
  };
  if (pass.kept) {
    const rows = pass.kept
      .map((row, ordinal) => ({ row, ordinal }))
      .filter((entry): entry is { row: KeptRow; ordinal: number } => entry.row !== undefined)
      .sort((a, b) => a.row.line - b.row.line);
    for (const { row, ordinal } of rows) await name(row, ordinal);
    return;
  }
  // The input again; a row waits for the last one's lines to be written.
  await pass.reread((row) => {
    const ordinal = table.get(row.key as string);
    // Only the last row of an id was compared.
    if (ordinal < 0 || table.rows[ordinal] !== row.index || table.states[ordinal] === MATCH) return undefined;
    const kept: KeptRow = {
      id: row.key as string,
      line: row.line,
      body: row.body!,
      fieldSet: table.fieldSets[ordinal]!,
    };
    return name(kept, ordinal);
  });
}
