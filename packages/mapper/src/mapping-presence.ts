import type { JsonObject, RowEnvelope, RowStep } from '@pxstream/core';
import { readPath } from './paths.js';

/** How many records the presence of the mapped fields is judged on. */
export const PRESENCE_SAMPLE = 1000;

/**
 * JSON inputs (JSON-lines, JSON arrays, objects) have no header to check the mapping against,
 * so a mapping written for another export (a CSV's column names on JSON-lines, say) would
 * drop fields without a word. This step watches the first `PRESENCE_SAMPLE` records and calls
 * `warn` once with the mapped fields none of them held. It passes every row on untouched.
 */
export class MappingPresence implements RowStep {
  readonly stage = 'map' as const;
  private seen = 0;
  private reported = false;
  private readonly missing: Map<string, readonly string[]>;

  constructor(
    /** pxField -> source key or dot path. */
    private readonly mapping: Readonly<Record<string, string>>,
    private readonly warn: (message: string) => void,
  ) {
    this.missing = new Map(Object.values(mapping).map((column) => [column, column.split('.')]));
  }

  process(row: RowEnvelope): RowEnvelope {
    if (this.reported) return row;
    const fields = row.fields as JsonObject;
    for (const [column, segments] of this.missing) {
      if (readPath(fields, column, segments) !== undefined) this.missing.delete(column);
    }
    if (++this.seen >= PRESENCE_SAMPLE || this.missing.size === 0) this.report();
    return row;
  }

  /** Says which mapped fields were never present (at the sample's end, or the input's). */
  report(): void {
    if (this.reported) return;
    this.reported = true;
    if (this.missing.size === 0 || this.seen === 0) return;
    const names = Object.entries(this.mapping)
      .filter(([, column]) => this.missing.has(column))
      .map(([field, column]) => (field === column ? field : `${field} (from "${column}")`));
    this.warn(
      `${names.length} mapped field(s) never present in the first ${this.seen} records, so never sent: ` +
        `${names.join(', ')}. Is the mapping written for this input?`,
    );
  }
}
