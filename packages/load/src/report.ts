import type { RunStats } from '@pxstream/core';
import type { LedgerFigures, PlanCounts } from '@pxstream/ledger';

/** What a mirror did, in a load's report (`mirror`). */
export interface MirrorFigures {
  /** Ids the ledger held once the file was loaded. */
  held: number;
  /** Of those, the ids the file lacks. */
  missing: number;
  /** A cap refused the mirror: nothing was deleted. */
  refused: boolean;
  deleted: number;
  /** Ids PX no longer had (the ledger dropped them too). */
  alreadyGone: number;
  /** Deletes PX refused. */
  rejected: number;
  /** `plan`: the ids it would delete (those PX has), when PX could be read; else null. */
  planned: string[] | null;
  /** Requests: PX's list read to name the ids (the ledger keeps fingerprints), and the deletes. */
  requests: number;
}

export interface SinkFigures {
  requests: number;
  retries: number;
  http429: number;
  /** Waits for PX (it refused or failed everything for a spell), and their total length. */
  waits?: number;
  waitedMs?: number;
  /** The most requests in flight the sink allowed (sized from the round trip unless pinned). */
  concurrency?: number;
  /** Round trip of the latest answers, the figure the in-flight cap is sized from. */
  roundTripMs?: { p50: number; p90: number };
}

/** The daily request count and budget of a load (see `dailyBudget`). */
export interface BudgetFigures {
  /** Requests sent to this PX today (UTC) at the end, every run's. */
  requestsToday: number;
  /** Waits for the next UTC day at the budget, and their total length. */
  waits: number;
  waitedMs: number;
}

/** `plan`: the requests a load of the input would send, and the days that takes. */
export interface PlanRequests {
  /** About one request per row sent (a row PX lacks costs one `POST`, one it has one `PUT`). */
  requests: number;
  /** Requests a day counted with: the `dailyBudget`, else PX's quota of 1,000,000. */
  perDay: number;
  /** Whole UTC days at `perDay` (at least 1 when a request is needed). */
  days: number;
  /**
   * The target had a ledger to plan against. False: none yet, so every row counts as `new` (new
   * in the ledger), whether PX has it or not; `rebuildLedger` fills it from PX's records.
   */
  fromLedger: boolean;
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
  /** Waits for PX (refusing or failing everything for a spell) and for the daily budget's next day. */
  waits: number;
  /** Time spent in those waits. */
  waitedMs: number;
  /** Requests sent to this PX today (UTC), earlier and concurrent runs' included; null when none were counted (dry run). */
  requestsToday: number | null;
  /** The `dailyBudget`, or null. */
  dailyBudget: number | null;
  /**
   * The most requests in flight the load allowed: `concurrency` when given, else sized from
   * the round trip (PX's rate × the p90 of the latest answers × 1.25). Null in a dry run.
   */
  concurrency: number | null;
  /** Round trip of the latest answers at the end (ms), the figure behind `concurrency`; null in a dry run. */
  roundTripMs: { p50: number; p90: number } | null;
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
  /** `--plan`: the requests a load would send and the days they take; null otherwise. */
  planRequests: PlanRequests | null;
  /** The incremental-sync ledger: where it is and what it did this load; null without one. */
  ledger: LedgerFigures | null;
  /** `deleteMissing`: what the mirror deleted after the load (null without it). */
  mirror: MirrorFigures | null;
  /** The warnings the load gave (mapped attributes PX lacks, unused mappings...). */
  warnings: string[];
  /** Peak resident memory of the process, in bytes. */
  peakRssBytes: number;
}

export interface ReportFields {
  stats: RunStats;
  sink: SinkFigures;
  budget: BudgetFigures | null;
  dailyBudget: number | null;
  planRequests: PlanRequests | null;
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
  mirror: MirrorFigures | null;
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
    waits: (fields.sink.waits ?? 0) + (fields.budget?.waits ?? 0),
    waitedMs: Math.round((fields.sink.waitedMs ?? 0) + (fields.budget?.waitedMs ?? 0)),
    requestsToday: fields.budget?.requestsToday ?? null,
    dailyBudget: fields.dailyBudget,
    concurrency: fields.dryRun ? null : (fields.sink.concurrency ?? null),
    roundTripMs: fields.dryRun ? null : (fields.sink.roundTripMs ?? null),
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
    planRequests: fields.planRequests,
    ledger: fields.ledger,
    mirror: fields.mirror,
    warnings: fields.warnings,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
