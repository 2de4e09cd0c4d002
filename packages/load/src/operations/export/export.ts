import { resolve } from 'node:path';
import { checkMappedAttributes, type FieldTypeInfo, resolveFieldTypes } from '@pxstream/config';
import { isPxStreamError } from '@pxstream/core';
import { type PxPartitionEvent, readPxRecords } from '@pxstream/source-px';
import { asLoadError, loadError } from '../../errors.js';
import { checkOutputPaths } from '../../run/files.js';
import { closeOnStop } from '../../run/read-end.js';
import { checkReadOptions, openRead, type ReadSetup, sayScrollRestart } from '../../run/read-setup.js';
import { formatFromPath } from '../../settings.js';
import { ExportFigures } from './figures.js';
import { formatterFor } from './formats.js';
import { type ExportOutputHandle, openFileOutput, streamOutput } from './output.js';
import { flattenRecord, mappingShaper, type RecordShaper } from './records.js';
import type {
  ExportFormat,
  ExportOptions,
  ExportOutput,
  ExportRecord,
  ExportReport,
  ExportWriteOptions,
} from './types.js';

/**
 * PX's users or accounts, read back over the list scroll (1,000 a request), as rows the loader
 * takes back: an async iterable (once), with `write()` to put them in a file or a stream and
 * `report()` for the figures. Options that need no config are checked at once (a `LoadError`).
 */
export function exportRecords(options: ExportOptions): ExportRun {
  return new ExportRun(options);
}

const FORMATS: readonly ExportFormat[] = ['csv', 'jsonl', 'json'];

/**
 * Scrolls an export reads at once (see `ExportOptions.scrolls`). One scroll waits a round trip
 * per 1,000 records: 25,000 records/s at 40 ms at best, and reached 0.59x of it (bench case
 * 11). Four keep four pages on their way while the client parses and writes another: 1.27x of
 * that bound on the emulator and 1.40x on the peer PX (bench/RESULTS.md, case 11, 2026-12-07),
 * some 35 requests a second (a sixth of PX's 200/s, shared through the one limiter), and at
 * most five pages of records held (about 10 MB of 1,000 full users each). More were not
 * measured: past the 0.8x aimed at, each holds another page, and the client and PX already
 * share the 2 cores measured.
 */
export const DEFAULT_EXPORT_SCROLLS = 4;
/** The reader's most (`MAX_SCROLLS` of source-px). */
const MAX_EXPORT_SCROLLS = 16;

export class ExportRun implements AsyncIterable<ExportRecord> {
  private readonly figures: ExportFigures;
  private used = false;

  constructor(private readonly options: ExportOptions) {
    const { type, filters } = checkReadOptions(options);
    const { scrolls } = options;
    if (
      scrolls !== undefined &&
      (!Number.isInteger(scrolls) || scrolls < 1 || scrolls > MAX_EXPORT_SCROLLS)
    ) {
      throw loadError(
        'LOAD_INVALID_OPTION',
        `\`scrolls\` must be a whole number from 1 to ${MAX_EXPORT_SCROLLS}, got ${String(scrolls)}`,
      );
    }
    this.figures = new ExportFigures(type, options.allFields === true);
    this.figures.filters = filters;
  }

  [Symbol.asyncIterator](): AsyncIterator<ExportRecord> {
    return this.records()[Symbol.asyncIterator]();
  }

  /** The figures so far; the final report once the records were read (or `write()` settled). */
  report(): ExportReport {
    return this.figures.report();
  }

  /**
   * Writes every record to `output` (a file: its `.partial` renamed when complete, gzip when the
   * name ends in `.gz`; or a stream, left open) and resolves to the report. Rejects with a
   * `LoadError`; `report()` then says how far it got. A stop (`signal`) resolves, with
   * `interrupted` and no file.
   */
  async write(output: ExportOutput, writeOptions: ExportWriteOptions = {}): Promise<ExportReport> {
    const cwd = this.options.cwd ?? process.cwd();
    const path = typeof output === 'string' ? resolve(cwd, output) : undefined;
    const format = this.formatOf(writeOptions.format, path);
    if (path !== undefined) {
      const config = typeof this.options.config === 'string' ? resolve(cwd, this.options.config) : undefined;
      await checkOutputPaths([{ what: 'the config', path: config }], [{ what: 'the export file', path }]);
    }
    const sink: ExportOutputHandle =
      path === undefined ? streamOutput(output as Exclude<ExportOutput, string>) : await openFileOutput(path);
    this.figures.format = format;
    let formatter: ReturnType<typeof formatterFor> | undefined;
    try {
      const rows = this.records(async (columns) => {
        formatter = formatterFor(format, columns);
        await sink.write(formatter.head());
      });
      for await (const row of rows) await sink.write(formatter!.record(row));
      if (this.figures.interrupted || formatter === undefined) {
        await sink.discard();
        return this.report();
      }
      await sink.write(formatter.tail());
      await sink.finish();
      this.figures.output = sink.name;
      return this.report();
    } catch (error) {
      await sink.discard();
      const failure = asLoadError(error);
      this.figures.error ??= { code: failure.code, message: failure.message };
      throw failure;
    }
  }

  private formatOf(asked: ExportFormat | undefined, path: string | undefined): ExportFormat {
    if (asked !== undefined && !FORMATS.includes(asked)) {
      throw loadError(
        'LOAD_INVALID_OPTION',
        `unknown \`format\` "${String(asked)}": expected csv, jsonl or json`,
      );
    }
    const allFields = this.options.allFields === true;
    const format = asked ?? formatFromPath(path) ?? (allFields ? 'jsonl' : 'csv');
    if (allFields && format === 'csv') {
      throw loadError(
        'LOAD_INVALID_OPTION',
        '`allFields` writes JSON-lines or JSON: a CSV has one set of columns, records each have their own fields',
      );
    }
    return format;
  }

  /**
   * The steps: the config and a client, the shape of the rows, then PX's records one by one.
   * `ready` hears the columns before the first record (a CSV's header).
   */
  private async *records(ready?: (columns: string[] | null) => Promise<void>): AsyncGenerator<ExportRecord> {
    if (this.used)
      throw loadError('LOAD_INVALID_OPTION', 'an export is read once: call exportRecords() again');
    this.used = true;
    const { signal } = this.options;
    const figures = this.figures;
    let setup: ReadSetup | undefined;
    const release = closeOnStop(signal, () => setup?.client);
    try {
      setup = await openRead(this.options);
      figures.client = setup.client;
      figures.target = { baseUrl: setup.config.baseUrl };
      const shape = await this.shaperOf(setup);
      setup.log.info(
        `exporting ${setup.type === 'USER' ? 'users' : 'accounts'} from ${setup.config.baseUrl}${
          setup.filters.length > 0
            ? ` matching ${setup.filters.map((f) => JSON.stringify(f)).join(' or ')}`
            : ''
        }`,
      );
      await ready?.(figures.columns);
      if (signal?.aborted) {
        figures.interrupted = true;
        return;
      }
      const log = setup.log;
      const reader = readPxRecords({
        client: setup.client,
        type: setup.type,
        filters: setup.filters,
        scrolls: this.options.scrolls ?? DEFAULT_EXPORT_SCROLLS,
        ...(signal ? { signal } : {}),
        onPage: () => this.options.onProgress?.(figures.progress()),
        onRestart: sayScrollRestart(log),
        onPartition: (partition) => sayPartition(log, partition),
      });
      figures.reader = reader;
      for await (const record of reader) {
        figures.records++;
        yield shape(record);
      }
      if (signal?.aborted) figures.interrupted = true;
      else figures.complete = true;
    } catch (error) {
      if (figures.stoppedBy(error, signal)) return;
      throw figures.failure(error, setup);
    } finally {
      release();
      figures.end(setup);
    }
  }

  /** The rows' shape: every field, or the mapping turned around (typed by PX's metadata if needed). */
  private async shaperOf(setup: ReadSetup): Promise<RecordShaper> {
    if (this.options.allFields) return flattenRecord;
    const mapping = setup.config.fieldMapping[setup.type] ?? {};
    const { columns, shape } = mappingShaper(mapping, await fieldTypes(setup, mapping));
    this.figures.columns = columns;
    return shape;
  }
}

/** How the export reads PX: in ranges at once, or why in one scroll (when it is large enough to say). */
function sayPartition(log: ReadSetup['log'], partition: PxPartitionEvent): void {
  const { scrolls, single, totalHits } = partition;
  if (single === undefined) {
    log.info(`reading ${totalHits} records in ${scrolls} ranges of createDate at once`);
  } else if (single !== 'small') {
    const why = {
      uncut: 'createDate does not cut them (none has one, or all share one)',
      unequal: `the ranges' counts (${partition.ranges.join(' + ')}) do not add up to ${totalHits}`,
      refused: 'PX refused a count',
    }[single];
    log.info(`reading ${totalHits} records in one scroll: ${why}`);
  }
}

/**
 * The PX type of each mapped field: dates are written as ISO text, so a custom attribute's
 * type matters. PX's metadata is asked for only when `attributeTypes` leaves a mapped custom
 * attribute untyped; if it cannot be read (short of a fatal answer), such an attribute's
 * values are written as PX holds them, which loads back the same.
 */
async function fieldTypes(
  setup: ReadSetup,
  mapping: Readonly<Record<string, string>>,
): Promise<Map<string, FieldTypeInfo>> {
  const { config, type, client, log } = setup;
  const untyped = Object.keys(mapping).some(
    (field) => field.startsWith('customAttributes.') && config.attributeTypes[field] === undefined,
  );
  let metadata: Awaited<ReturnType<typeof client.getAttributeMetadata>> | undefined;
  if (untyped) {
    try {
      metadata = await client.getAttributeMetadata(type === 'USER' ? 'user' : 'account');
    } catch (error) {
      if (!isPxStreamError(error) || error.fatal) throw error;
      log.warn(`cannot read PX's attribute metadata (${error.message}): custom attributes typed from config`);
    }
  }
  if (metadata)
    for (const warning of checkMappedAttributes(type, mapping, metadata).warnings) log.warn(warning);
  return resolveFieldTypes(type, mapping, { metadata, attributeTypes: config.attributeTypes });
}
