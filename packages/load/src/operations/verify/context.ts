/** What the two ways of reading PX share: the comparer, the figures, the differences file. */
import type { JsonObject } from '@pxstream/core';
import type { ReadSetup } from '../../run/read-setup.js';
import type { ExportOutputHandle } from '../export/output.js';
import type { FieldComparer } from './fields.js';
import type { VerifyFigures } from './figures.js';
import type { VerifyDifference } from './types.js';

/** A row of the input kept whole (few of them, or asked for): its id, line, body and field set. */
export interface KeptRow {
  id: string;
  line: number;
  body: JsonObject;
  fieldSet: number;
}

export interface VerifyContext {
  setup: ReadSetup;
  comparer: FieldComparer;
  /** `identifyId` or `id`. */
  keyField: string;
  figures: VerifyFigures;
  /** The differences file, when asked for. */
  diff: DiffWriter | undefined;
  signal: AbortSignal | undefined;
  /** Tells `onProgress`, if any. */
  progress: () => void;
}

/** The differences, one JSON object a line. */
export class DiffWriter {
  constructor(
    private readonly output: ExportOutputHandle,
    private readonly figures: VerifyFigures,
  ) {}

  get name(): string {
    return this.output.name;
  }

  async write(difference: VerifyDifference): Promise<void> {
    this.figures.diffLines++;
    await this.output.write(`${JSON.stringify(difference)}\n`);
  }

  finish(): Promise<void> {
    return this.output.finish();
  }

  discard(): Promise<void> {
    return this.output.discard();
  }
}

/**
 * What PX said of one row, counted and written: `record` undefined is an id PX lacks; else the
 * fields that differ (none: a match).
 */
export async function settle(
  ctx: VerifyContext,
  row: KeptRow,
  record: JsonObject | undefined,
): Promise<void> {
  const { figures } = ctx;
  if (record === undefined) {
    figures.missing++;
    await writeMissing(ctx, row);
  } else if ((await writeDifferences(ctx, row, record)) === 0) figures.match++;
  else figures.differ++;
}

/** An id PX lacks, in the differences file: the row's whole body. */
export async function writeMissing(ctx: VerifyContext, row: KeptRow): Promise<void> {
  await ctx.diff?.write({
    kind: 'missing',
    id: row.id,
    line: row.line,
    field: null,
    file: row.body,
    px: null,
  });
}

/** The fields of a row that PX holds otherwise: counted, and written to the differences file. */
export async function writeDifferences(
  ctx: VerifyContext,
  row: KeptRow,
  record: JsonObject,
): Promise<number> {
  const differences = ctx.comparer.differences(row.body, record, row.fieldSet);
  if (differences.length === 0) return 0;
  ctx.figures.countFields(differences.map((d) => d.field));
  for (const d of differences) {
    await ctx.diff?.write({
      kind: 'differs',
      id: row.id,
      line: row.line,
      field: d.field,
      file: d.file,
      px: d.px,
    });
  }
  return differences.length;
}
