import { writeFile } from 'node:fs/promises';
import type { RunStats } from '@pxstream/core';

export interface SinkFigures {
  requests: number;
  retries: number;
  http429: number;
}

export interface RunReport {
  tool: 'pxstream';
  type: string;
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
  exitCode: number;
  /** Why the run ended early, when it did. */
  error: { code: string; message: string } | null;
  interrupted: boolean;
  /** The row a `--resume` run started at (the checkpoint's watermark), or null. */
  resumedAtRow: number | null;
  /** Peak resident memory of the process, in bytes. */
  peakRssBytes: number;
}

export function buildReport(fields: {
  stats: RunStats;
  sink: SinkFigures;
  type: string;
  input: string;
  insertMissing: boolean;
  dryRun: boolean;
  startedAt: number;
  finishedAt: number;
  rejectsFile: string | null;
  exitCode: number;
  error: { code: string; message: string } | null;
  interrupted: boolean;
  resumedAtRow: number | null;
}): RunReport {
  const snap = fields.stats.snapshot();
  const durationMs = fields.finishedAt - fields.startedAt;
  return {
    tool: 'pxstream',
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
    exitCode: fields.exitCode,
    error: fields.error,
    interrupted: fields.interrupted,
    resumedAtRow: fields.resumedAtRow,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

export async function writeReport(path: string, report: RunReport, redact: (text: string) => string) {
  await writeFile(path, `${redact(JSON.stringify(report, null, 2))}\n`);
}

/** Gainsight's closing line, kept exactly: `DONE: N updated, N inserted, N skipped, N errors`. */
export function doneLine(stats: RunStats): string {
  return `DONE: ${stats.updated} updated, ${stats.inserted} inserted, ${stats.skipped} skipped, ${stats.rejected} errors`;
}
