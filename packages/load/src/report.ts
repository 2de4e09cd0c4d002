import type { RunStats } from '@pxstream/core';
import type { LedgerFigures, PlanCounts } from '@pxstream/ledger';

export interface SinkFigures {
  requests: number;
  retries: number;
  http429: number;
}

/**
 * What `load()` resolves to, and what a `report` file holds (the same object as JSON). The
 * top-level `updated`, `inserted`, `skipped` and `rejected` repeat `rows` for callers that
 * want only them.
 */
export interface LoadReport {
  updated: number;
  inserted: number;
  skipped: number;
  rejected: number;
  type: string;
  /** The input file's path, `stdin` (or the stream's name), or `objects`. */
  input: string;
  mode: 'update' | 'insert-missing';
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  rowsPerSecond: number;
  rows: {
    read: number;
    updated: number;
    inserted: number;
    skipped: number;
    rejected: number;
    dryRun: number;
    notSent: number;
  };
  rejectedByStage: Record<string, number>;
  rejectedByCode: Record<string, number>;
  skippedByReason: Record<string, number>;
  requests: number;
  retries: number;
  http429: number;
  rejectsFile: string | null;
  /** Why the load ended early, when it did. */
  error: { code: string; message: string } | null;
  interrupted: boolean;
  /** Stopped twice (`forceSignal`): the requests in flight were aborted. Still an interruption. */
  aborted: boolean;
  /** Every row of the input (or range) reached an end. */
  complete: boolean;
  /** The checkpoint left behind to resume from, or null. */
  checkpoint: string | null;
  /** The row a resumed load started at (the checkpoint's watermark), or null. */
  resumedAtRow: number | null;
  /** Where the rows went: PX's base URL and product keys (never the API key); null in a dry run. */
  target: { baseUrl: string; productKeys: string[] } | null;
  /**
   * Ids on more than one row of this run (rows with one id are applied in file order, so the
   * last one wins); null for custom events, where one user has many rows.
   */
  repeatedIds: number | null;
  /** `--plan`: what a load would do with each row (new, changed, unchanged...); null otherwise. */
  plan: PlanCounts | null;
  /** The incremental-sync ledger: where it is and what it did this load; null without one. */
  ledger: LedgerFigures | null;
  /** The warnings the load gave (mapped attributes PX lacks, unused mappings...). */
  warnings: string[];
  /** Peak resident memory of the process, in bytes. */
  peakRssBytes: number;
}

export interface ReportFields {
  stats: RunStats;
  sink: SinkFigures;
  type: string;
  input: string;
  insertMissing: boolean;
  dryRun: boolean;
  startedAt: number;
  finishedAt: number;
  rejectsFile: string | null;
  error: { code: string; message: string } | null;
  /** A second stop aborted the requests in flight: still an interruption, not a failure. */
  aborted: boolean;
  interrupted: boolean;
  complete: boolean;
  checkpoint: string | null;
  resumedAtRow: number | null;
  target: LoadReport['target'];
  repeatedIds: number | null;
  plan: PlanCounts | null;
  ledger: LedgerFigures | null;
  warnings: string[];
}

export function buildReport(fields: ReportFields): LoadReport {
  const snap = fields.stats.snapshot();
  const durationMs = fields.finishedAt - fields.startedAt;
  return {
    updated: snap.updated,
    inserted: snap.inserted,
    skipped: snap.skipped,
    rejected: snap.rejected,
    type: fields.type,
    input: fields.input,
    mode: fields.insertMissing ? 'insert-missing' : 'update',
    dryRun: fields.dryRun,
    startedAt: new Date(fields.startedAt).toISOString(),
    finishedAt: new Date(fields.finishedAt).toISOString(),
    durationMs,
    // Rows this process finished: a resumed run's earlier rows do not count toward its speed.
    rowsPerSecond:
      durationMs > 0
        ? Math.round(((fields.stats.finished - fields.stats.readBase) / durationMs) * 1000 * 10) / 10
        : 0,
    rows: {
      read: snap.read,
      updated: snap.updated,
      inserted: snap.inserted,
      skipped: snap.skipped,
      rejected: snap.rejected,
      dryRun: snap.dryRun,
      notSent: snap.notSent,
    },
    rejectedByStage: snap.rejectedByStage,
    rejectedByCode: snap.rejectedByCode,
    skippedByReason: snap.skippedByReason,
    requests: fields.sink.requests,
    retries: fields.sink.retries,
    http429: fields.sink.http429,
    rejectsFile: fields.rejectsFile,
    error: fields.error,
    interrupted: fields.interrupted,
    aborted: fields.aborted,
    complete: fields.complete,
    checkpoint: fields.checkpoint,
    resumedAtRow: fields.resumedAtRow,
    target: fields.target,
    repeatedIds: fields.repeatedIds,
    plan: fields.plan,
    ledger: fields.ledger,
    warnings: fields.warnings,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
