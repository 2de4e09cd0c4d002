import { open, stat, unlink, writeFile } from 'node:fs/promises';
import type { RunStats } from '@pxstream/core';
import { CliError, EXIT } from './exit-codes.js';

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
  try {
    await writeFile(path, `${redact(JSON.stringify(report, null, 2))}\n`);
  } catch (error) {
    throw new CliError(`cannot write the report ${path}: ${reason(error)}`, EXIT.FATAL);
  }
}

/**
 * Proves a file can be written before the load starts (a directory, a missing directory or a
 * read-only place fail here, not after hours of loading), leaving no file behind it created.
 */
export async function checkWritable(path: string, what: string): Promise<void> {
  try {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info?.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    if (info) await (await open(path, 'r+')).close();
    else {
      await (await open(path, 'wx')).close();
      await unlink(path);
    }
  } catch (error) {
    throw new CliError(`cannot write the ${what} ${path}: ${reason(error)}`, EXIT.FATAL);
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  return (error as Error).message;
}

/** Gainsight's closing line, kept exactly: `DONE: N updated, N inserted, N skipped, N errors`. */
export function doneLine(stats: RunStats): string {
  return `DONE: ${stats.updated} updated, ${stats.inserted} inserted, ${stats.skipped} skipped, ${stats.rejected} errors`;
}
