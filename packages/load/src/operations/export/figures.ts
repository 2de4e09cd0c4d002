/** An export's counters as it runs, and the report they come to. */
import type { PxClient } from '@pxstream/sink-px';
import type { PxRecordReader } from '@pxstream/source-px';
import type { ExportFormat, ExportProgress, ExportReport } from './types.js';

export class ExportFigures {
  readonly startedAt = Date.now();
  private readonly started = performance.now();
  finishedAt: number | undefined;
  type: 'USER' | 'ACCOUNT';
  records = 0;
  filters: string[] = [];
  fields: 'mapping' | 'all';
  columns: string[] | null = null;
  format: ExportFormat | null = null;
  output: string | null = null;
  complete = false;
  interrupted = false;
  error: { code: string; message: string } | null = null;
  target: { baseUrl: string } | null = null;
  warnings: string[] = [];
  client: PxClient | undefined;
  reader: PxRecordReader | undefined;

  constructor(type: 'USER' | 'ACCOUNT', allFields: boolean) {
    this.type = type;
    this.fields = allFields ? 'all' : 'mapping';
  }

  progress(): ExportProgress {
    const reader = this.reader?.stats();
    const client = this.client?.stats();
    return {
      records: reader?.records ?? 0,
      totalHits: reader?.totalHits,
      pages: reader?.pages ?? 0,
      requests: client?.sent ?? 0,
      retries: client?.retries ?? 0,
      http429: client?.http429 ?? 0,
      restarts: reader?.restarts ?? 0,
      elapsedMs: performance.now() - this.started,
    };
  }

  report(): ExportReport {
    const finishedAt = this.finishedAt ?? Date.now();
    const durationMs = finishedAt - this.startedAt;
    const progress = this.progress();
    const reader = this.reader?.stats();
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
      skipped: reader?.skipped ?? 0,
      requests: progress.requests,
      retries: progress.retries,
      http429: progress.http429,
      startedAt: new Date(this.startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs,
      recordsPerSecond: durationMs > 0 ? Math.round((this.records / durationMs) * 1000 * 10) / 10 : 0,
      complete: this.complete,
      interrupted: this.interrupted,
      error: this.error,
      target: this.target,
      warnings: [...this.warnings],
    };
  }
}
