/**
 * A delete in its own words: the pass counts rows as a load does (a record deleted is
 * `updated`, one PX did not have is `skipped`), the delete's report, progress and row events
 * say `deleted` and `alreadyGone`.
 */

import type { PxConfig } from '@pxstream/config';
import { errorMessage, isPxStreamError, type RunStats } from '@pxstream/core';
import type { LoadProgress, RowEvent } from '../../options.js';
import type { SinkFigures } from '../../report.js';
import type { DailyBudget } from '../../run/daily-budget.js';
import type { InputIds } from './ids.js';
import type { DeleteSettings } from './settings.js';
import type { ForgetFigures } from './sink.js';
import type { DeleteProgress, DeleteReport, DeleteRowEvent } from './types.js';

/** A load's progress as a delete's. */
export function deleteProgressOf(p: LoadProgress): DeleteProgress {
  const { updated, skipped, inserted: _inserted, dryRun: _dryRun, ...rest } = p;
  return { ...rest, deleted: updated, alreadyGone: skipped };
}

/** A load's row event as a delete's. */
export function deleteRowEventOf(event: RowEvent): DeleteRowEvent {
  if ('rejection' in event) return event;
  const { row, outcome } = event.outcome;
  return { outcome: { row, outcome: outcome === 'skipped' ? 'already-gone' : 'deleted' } };
}

export interface DeleteReportFields {
  settings: DeleteSettings;
  config: PxConfig | undefined;
  input: string;
  counted: InputIds | undefined;
  stats: RunStats | undefined;
  sink: SinkFigures | undefined;
  budget: DailyBudget | undefined;
  startedAt: number;
  finishedAt: number;
  rejectsFile: string | null;
  error: unknown;
  interrupted: boolean;
  aborted: boolean;
  complete: boolean;
  checkpoint: string | null;
  resumedAtRow: number | null;
  repeatedIds: number | null;
  ledger: ForgetFigures | undefined;
  warnings: string[];
  redact: (text: string) => string;
}

export function buildDeleteReport(f: DeleteReportFields): DeleteReport {
  const { settings, stats, counted } = f;
  const snap = stats?.snapshot();
  const durationMs = f.finishedAt - f.startedAt;
  const finishedHere = stats ? stats.finished - stats.readBase : 0;
  const read = snap?.read ?? counted?.rows ?? 0;
  const ids = counted?.ids.size ?? 0;
  return {
    deleted: snap?.updated ?? 0,
    alreadyGone: snap?.skipped ?? 0,
    rejected: snap?.rejected ?? 0,
    type: settings.type,
    input: f.input,
    hard: settings.hard,
    cascade: settings.cascade,
    maxDeletes: settings.maxDeletes,
    ids,
    repeatedIds: f.repeatedIds ?? (counted ? Math.max(0, counted.rows - counted.withoutId - ids) : 0),
    rowsWithoutId: counted?.withoutId ?? 0,
    plan: settings.plan,
    startedAt: new Date(f.startedAt).toISOString(),
    finishedAt: new Date(f.finishedAt).toISOString(),
    durationMs,
    rowsPerSecond: durationMs > 0 ? Math.round((finishedHere / durationMs) * 1000 * 10) / 10 : 0,
    rows: {
      read,
      deleted: snap?.updated ?? 0,
      alreadyGone: snap?.skipped ?? 0,
      rejected: snap?.rejected ?? 0,
      notSent: snap?.notSent ?? 0,
    },
    rejectedByStage: snap?.rejectedByStage ?? {},
    rejectedByCode: snap?.rejectedByCode ?? {},
    requests: f.sink?.requests ?? 0,
    retries: f.sink?.retries ?? 0,
    http429: f.sink?.http429 ?? 0,
    waits: (f.sink?.waits ?? 0) + (f.budget?.waits ?? 0),
    waitedMs: Math.round((f.sink?.waitedMs ?? 0) + (f.budget?.waitedMs ?? 0)),
    requestsToday: f.budget?.today ?? null,
    dailyBudget: settings.dailyBudget ?? null,
    rejectsFile: f.rejectsFile,
    error: f.error
      ? {
          code: isPxStreamError(f.error) ? f.error.code : 'INTERNAL',
          message: f.redact(errorMessage(f.error)),
        }
      : null,
    interrupted: f.interrupted,
    aborted: f.aborted,
    complete: f.complete,
    checkpoint: f.checkpoint,
    resumedAtRow: f.resumedAtRow,
    target:
      settings.plan || !f.config
        ? null
        : { baseUrl: f.config.baseUrl, productKeys: [...f.config.productKeys] },
    ledger: f.ledger ? { path: f.ledger.path, forgotten: f.ledger.forgotten } : null,
    warnings: f.warnings,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
