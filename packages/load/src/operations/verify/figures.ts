/** A verify's counters as it runs, and the report they come to. */
import { ReadFigures } from '../../run/read-figures.js';
import type { VerifyProgress, VerifyReadBy, VerifyReport } from './types.js';

export class VerifyFigures extends ReadFigures {
  input = '';
  phase: VerifyProgress['phase'] = 'input';
  rows = 0;
  match = 0;
  differ = 0;
  missing = 0;
  rejected = 0;
  repeatedRows = 0;
  /** Ids per differing field, when the fields were named (a differences file, or `get`). */
  differingFields: Record<string, number> = {};
  notInInput: number | null = null;
  readBy: VerifyReadBy | null = null;
  totalHits: number | null = null;
  /** PX records read over the scroll, or asked for by id. */
  records = 0;
  pages = 0;
  gets = 0;
  /** Requests not sent by `client` (the metadata read has a client of its own). */
  otherRequests = 0;
  diffFile: string | null = null;
  diffLines = 0;

  constructor(readonly type: 'USER' | 'ACCOUNT') {
    super();
  }

  /** Counts the fields of one differing id. */
  countFields(fields: readonly string[]): void {
    for (const field of fields) this.differingFields[field] = (this.differingFields[field] ?? 0) + 1;
  }

  requests(): number {
    return (this.client?.stats().sent ?? 0) + this.otherRequests;
  }

  progress(): VerifyProgress {
    return {
      phase: this.phase,
      rows: this.rows,
      records: this.records,
      totalHits: this.totalHits ?? undefined,
      requests: this.requests(),
      elapsedMs: performance.now() - this.started,
    };
  }

  report(): VerifyReport {
    const client = this.client?.stats();
    return {
      type: this.type,
      input: this.input,
      rows: this.rows,
      match: this.match,
      differ: this.differ,
      missing: this.missing,
      rejected: this.rejected,
      repeatedRows: this.repeatedRows,
      differingFields: { ...this.differingFields },
      notInInput: this.notInInput,
      readBy: this.readBy,
      totalHits: this.totalHits,
      requests: this.requests(),
      pages: this.pages,
      gets: this.gets,
      retries: client?.retries ?? 0,
      http429: client?.http429 ?? 0,
      diffFile: this.diffFile,
      diffLines: this.diffLines,
      ...this.ending(),
    };
  }
}
