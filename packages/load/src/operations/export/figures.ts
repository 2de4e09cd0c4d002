/** An export's counters as it runs, and the report they come to. */
import type { PxRecordReader } from '@pxstream/source-px';
import { ReadFigures } from '../../run/read-figures.js';
import { scrollProgress } from '../../run/scroll-progress.js';
import type { ExportFormat, ExportProgress, ExportReport } from './types.js';

export class ExportFigures extends ReadFigures {
  type: 'USER' | 'ACCOUNT';
  records = 0;
  filters: string[] = [];
  fields: 'mapping' | 'all';
  columns: string[] | null = null;
  format: ExportFormat | null = null;
  output: string | null = null;
  reader: PxRecordReader | undefined;

  constructor(type: 'USER' | 'ACCOUNT', allFields: boolean) {
    super();
    this.type = type;
    this.fields = allFields ? 'all' : 'mapping';
  }

  progress(): ExportProgress {
    return scrollProgress(this.reader, this.client, this.started);
  }

  report(): ExportReport {
    const ending = this.ending();
    const progress = this.progress();
    return {
      type: this.type,
      records: this.records,
      totalHits: progress.totalHits ?? null,
      filters: [...this.filters],
      fields: this.fields,
      columns: this.columns === null ? null : [...this.columns],
      format: this.format,
      output: this.output,
      pages: progress.pages,
      restarts: progress.restarts,
      skipped: this.reader?.stats().skipped ?? 0,
      requests: progress.requests,
      retries: progress.retries,
      http429: progress.http429,
      ...ending,
      recordsPerSecond:
        ending.durationMs > 0 ? Math.round((this.records / ending.durationMs) * 1000 * 10) / 10 : 0,
    };
  }
}
