import { resolve } from 'node:path';
import { keyFieldOf } from '@pxstream/config';
import type { RowEnvelope } from '@pxstream/core';
import type { ListPage } from '@pxstream/sink-px';
import { loadError } from '../../errors.js';
import { checkInputEncoding } from '../../run/encoding.js';
import { checkOutputPaths } from '../../run/files.js';
import { type OpenedInput, openInput } from '../../run/input.js';
import { closeOnStop } from '../../run/read-end.js';
import { checkReadOptions, openRead, type ReadSetup } from '../../run/read-setup.js';
import { readStages } from '../../run/read-stages.js';
import type { RowStages } from '../../run/stages.js';
import { formatFromPath, type SourceFormat, sniffFormat } from '../../settings.js';
import { openFileOutput, streamOutput } from '../export/output.js';
import { verifyByGet } from './by-get.js';
import { verifyByScroll } from './by-scroll.js';
import { DiffWriter, type KeptRow, type VerifyContext } from './context.js';
import { comparedFields, FieldComparer } from './fields.js';
import { VerifyFigures } from './figures.js';
import { IdTable } from './id-table.js';
import { readInputRows } from './input-rows.js';
import { cheaperRead, countPx, readByLine, readConcurrency } from './read-px.js';
import type { VerifyOptions, VerifyReadBy, VerifyReport } from './types.js';

/** Bytes of a stream input looked at for its encoding and format (as a load looks). */
const HEAD_BYTES = 64 * 1024;
/** Input rows between two progress calls. */
const PROGRESS_ROWS = 10_000;

/**
 * Checks that PX holds what an input says: each row mapped and validated as a load would send
 * it, then compared field by field with PX's record of its id (README, "Verify"). Reads PX the
 * cheaper way: one `GET` per id when the input has fewer ids than PX's list has pages (known from
 * one count request), else the whole list over its scroll, 1,000 records a request. Resolves to
 * the report (`match`, `differ`, `missing`, `rejected`...); rejects with a `LoadError` on
 * anything fatal (config, key, base URL, input, PX failing). A stop (`signal`) resolves with
 * `interrupted`.
 */
export async function verify(options: VerifyOptions): Promise<VerifyReport> {
  const { type } = checkVerifyOptions(options);
  const figures = new VerifyFigures(type);
  const { signal } = options;
  let setup: ReadSetup | undefined;
  let diff: DiffWriter | undefined;
  const release = closeOnStop(signal, () => setup?.client);
  try {
    setup = await openRead({ ...options, filter: undefined });
    figures.client = setup.client;
    figures.target = { baseUrl: setup.config.baseUrl };
    const cwd = options.cwd ?? process.cwd();
    const input = await openInput(options.input, cwd, options.inputName);
    figures.input = input.path ?? input.name;
    const format = await formatOf(options, input);
    diff = await openDiff(options, input, cwd, figures);
    const { stages, fieldTypes, mapping, requests } = await readStages(setup, options);
    figures.otherRequests = requests;
    const keyField = keyFieldOf(type);
    const comparer = new FieldComparer(
      comparedFields(mapping, fieldTypes, keyField),
      setup.config.productKeys,
    );
    const ctx: VerifyContext = {
      setup,
      comparer,
      keyField,
      figures,
      diff,
      signal,
      progress: () => options.onProgress?.(figures.progress()),
    };
    setup.log.info(
      `verifying ${input.name} against PX's ${type === 'USER' ? 'users' : 'accounts'} at ${setup.config.baseUrl}`,
    );
    await run(ctx, options, input, format, stages);
    if (signal?.aborted) figures.interrupted = true;
    else {
      await diff?.finish();
      if (diff) figures.diffFile = diff.name;
      figures.complete = true;
    }
    if (figures.interrupted) await diff?.discard();
  } catch (error) {
    await diff?.discard();
    if (!figures.stoppedBy(error, signal)) {
      figures.end(setup);
      throw figures.failure(error, setup);
    }
  } finally {
    release();
  }
  // Ended before the report is built, so that it holds the warnings and the end time.
  figures.end(setup);
  return figures.report();
}

/** The steps once everything is open: PX's count, the input, then PX by the cheaper way. */
async function run(
  ctx: VerifyContext,
  options: VerifyOptions,
  input: OpenedInput,
  format: SourceFormat,
  stages: RowStages,
): Promise<void> {
  const { setup, figures, comparer, signal } = ctx;
  const asked = options.readBy;
  // One request tells what the scroll would cost, a page per 1,000 records (one for none): the
  // scroll's first page, which the scroll then goes on from (1M records: 1,001 pages in all,
  // the count among them, plus the metadata read: 1,002 requests).
  let pages = Number.POSITIVE_INFINITY;
  let firstPage: ListPage | undefined;
  if (asked === undefined) {
    const count = await countPx(setup.client, setup.type);
    ({ firstPage, pages } = count);
    figures.totalHits = count.totalHits;
  }
  // Rows are kept whole while reading by id may still be the cheaper way, or always when asked
  // to read by id, or when a differences file needs the rows of an input that cannot be read twice.
  const keepAll = asked === 'get' || (ctx.diff !== undefined && input.kind !== 'file');
  const table = new IdTable();
  let kept: Array<KeptRow | undefined> | undefined = asked === 'scroll' && !keepAll ? undefined : [];
  const onRow = (row: RowEnvelope) => {
    const id = row.key as string;
    const { ordinal, added } = table.upsert(id);
    if (!added) figures.repeatedRows++;
    const fieldSet = comparer.fieldSetOf(row.body!);
    table.fieldSets[ordinal] = fieldSet;
    table.rows[ordinal] = row.index;
    comparer.hashOf(row.body!, fieldSet, table.hashes, ordinal * 2);
    if (kept !== undefined) {
      if (!keepAll && table.size > pages) kept = undefined;
      else kept[ordinal] = { id, line: row.line, body: row.body!, fieldSet };
    }
    if (++figures.rows % PROGRESS_ROWS === 0) ctx.progress();
  };
  const pass = (handle: (row: RowEnvelope) => void | Promise<void>) =>
    readInputRows({ input, format, stages, onRow: handle, onRejection: () => {}, signal });
  figures.rows = await readInputRows({
    input,
    format,
    stages,
    onRow,
    onRejection: () => figures.rejected++,
    signal,
  });
  ctx.progress();
  if (signal?.aborted) return;
  const readBy: VerifyReadBy = asked ?? (kept !== undefined ? cheaperRead(table.size, pages) : 'scroll');
  figures.readBy = readBy;
  figures.phase = 'px';
  setup.log.info(readByLine(readBy, table.size, figures.totalHits, 'ids to check'));
  if (readBy === 'get') {
    await verifyByGet(
      ctx,
      (kept ?? []).filter((row): row is KeptRow => row !== undefined),
      readConcurrency(setup.config),
    );
    return;
  }
  await verifyByScroll(ctx, {
    table,
    firstPage,
    kept: keepAll ? kept : undefined,
    reread: async (handle) => void (await pass(handle)),
  });
}

/** Options checked before anything is opened. */
function checkVerifyOptions(options: VerifyOptions): { type: 'USER' | 'ACCOUNT' } {
  if ((options as { filter?: unknown }).filter !== undefined) {
    throw loadError(
      'LOAD_INVALID_OPTION',
      '`filter` does not apply to verify: the input says which records to read',
    );
  }
  const { type } = checkReadOptions(options);
  if (options.readBy !== undefined && options.readBy !== 'scroll' && options.readBy !== 'get') {
    throw loadError('LOAD_INVALID_OPTION', `\`readBy\` must be scroll or get, got ${String(options.readBy)}`);
  }
  if (options.input === undefined || options.input === null) {
    throw loadError('LOAD_INVALID_OPTION', '`input` is required: the rows to check against PX');
  }
  return { type };
}

/** The input's format: asked for, from the file's name, else from its first bytes (refused if not UTF-8). */
async function formatOf(options: VerifyOptions, input: OpenedInput): Promise<SourceFormat> {
  if (input.kind === 'objects') return 'objects';
  const head = await input.head(HEAD_BYTES);
  checkInputEncoding(head, input.name);
  const asked = options.format ?? formatFromPath(input.path);
  if (asked !== undefined && asked !== 'csv' && asked !== 'jsonl' && asked !== 'json') {
    throw loadError(
      'LOAD_INVALID_OPTION',
      `unknown \`format\` "${String(asked)}": expected csv, jsonl or json`,
    );
  }
  return asked ?? sniffFormat(head);
}

/** The differences file, checked and opened (as `<file>.partial` until the verify ends). */
async function openDiff(
  options: VerifyOptions,
  input: OpenedInput,
  cwd: string,
  figures: VerifyFigures,
): Promise<DiffWriter | undefined> {
  const { diff } = options;
  if (diff === undefined) return undefined;
  if (typeof diff !== 'string') return new DiffWriter(streamOutput(diff), figures);
  const path = resolve(cwd, diff);
  const config = typeof options.config === 'string' ? resolve(cwd, options.config) : undefined;
  await checkOutputPaths(
    [
      { what: 'the input', path: input.path },
      { what: 'the config', path: config },
    ],
    [{ what: 'the differences file', path }],
  );
  return new DiffWriter(await openFileOutput(path, 'differences file'), figures);
}
