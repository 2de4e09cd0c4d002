import type { DeleteProgress, LoadProgress, LoadWait } from '@pxstream/load';

/** A load's progress, or a delete's (deleted and already gone instead of updated, inserted, skipped). */
export type RunProgress = LoadProgress | DeleteProgress;

import { InPlaceLine } from './in-place-line.js';
import type { LogCounters, Logger } from './logger.js';

/** A load's (or delete's) progress on a terminal: one line, rewritten in place. */
export class ProgressLine extends InPlaceLine<RunProgress> {
  constructor(out: NodeJS.WritableStream & { columns?: number }) {
    super(out, formatProgress);
  }
}

/** One short line (fits 80 columns for most loads): rows, speed, percent, ETA, outcomes, retries. */
export function formatProgress(p: RunProgress): string {
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  // Rows finished by an earlier run (resume) count in the total, not in this run's speed.
  const rate = (p.finished - p.finishedBefore) / seconds;
  const parts = [`${p.finished} rows ${Math.round(rate)}/s`];
  const start = p.startBytes;
  const size = p.size;
  if (size && size > start && p.bytesDone !== undefined) {
    const done = Math.min(size, Math.max(start, p.bytesDone));
    const fraction = (done - start) / (size - start);
    // No ETA while waiting: when PX answers again is not known.
    const eta =
      fraction > 0.001 && !p.waiting
        ? ` ETA ${formatDuration((p.elapsedMs * (1 - fraction)) / fraction)}`
        : '';
    parts[0] += ` ${((done / size) * 100).toFixed(1)}%${eta}`;
  }
  parts.push(outcomesText(p));
  if (p.currentRate !== undefined) parts.push(`retries ${p.retries} 429s ${p.http429}`);
  if (p.waiting) parts.push(waitingText(p.waiting));
  return parts.join(' | ');
}

/** `waiting for PX since 14:02:11 UTC`, `waiting for 00:00 UTC (daily budget used)`. */
export function waitingText(wait: LoadWait): string {
  if (wait.for === 'budget') return 'waiting for 00:00 UTC (daily budget used)';
  return `waiting for PX since ${new Date(wait.since).toISOString().slice(11, 19)} UTC`;
}

/**
 * The progress of a load whose stderr is not a terminal (a log file, journald, cron mail): one
 * line every `intervalMs`, timestamped, with rows, rate, ETA, requests today and waits; a
 * 3-day load is then never silent for more than the interval. The load reports its progress
 * more often (`PROGRESS_SAMPLE_MS`): each report updates the counters JSON lines carry.
 */
export class ProgressLog {
  private last: number;

  constructor(
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.last = now();
  }

  /** How often the load is asked for its progress, in ms: at most every second. */
  get sampleMs(): number {
    return Math.min(PROGRESS_SAMPLE_MS, this.intervalMs);
  }

  readonly update = (progress: RunProgress): void => {
    this.log.counters = progressCounters(progress);
    const now = this.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    this.log.progress(formatProgressLog(progress));
  };
}

/** How often the counters of JSON lines are refreshed from the load. */
export const PROGRESS_SAMPLE_MS = 1000;

/** The timed progress line: rows, rate, percent and ETA, outcomes, requests today, waits. */
export function formatProgressLog(p: RunProgress): string {
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  const rate = Math.round((p.finished - p.finishedBefore) / seconds);
  const parts = [`${p.finished} rows, ${rate} rows/s`];
  const { size, startBytes } = p;
  if (size && size > startBytes && p.bytesDone !== undefined) {
    const done = Math.min(size, Math.max(startBytes, p.bytesDone));
    const fraction = (done - startBytes) / (size - startBytes);
    parts[0] += `, ${((done / size) * 100).toFixed(1)}%`;
    if (fraction > 0.001 && !p.waiting)
      parts[0] += `, ETA ${formatDuration((p.elapsedMs * (1 - fraction)) / fraction)}`;
  }
  parts.push(outcomesText(p));
  if (p.requestsToday !== undefined) {
    const budget = p.dailyBudget === undefined ? '' : ` of ${p.dailyBudget}`;
    parts.push(`${p.requestsToday}${budget} requests today`);
  }
  parts.push(`${p.waits} ${p.waits === 1 ? 'wait' : 'waits'} (${formatDuration(p.waitedMs)})`);
  if (p.waiting) parts.push(waitingText(p.waiting) + (p.waiting.answer ? `: ${p.waiting.answer}` : ''));
  return parts.join(' | ');
}

/** How the rows ended so far: a load's `upd ins skip err`, a delete's `del gone err`. */
function outcomesText(p: RunProgress): string {
  if ('deleted' in p) return `del ${p.deleted} gone ${p.alreadyGone} err ${p.rejected}`;
  return `upd ${p.updated} ins ${p.inserted} skip ${p.skipped} err ${p.rejected}`;
}

/** The counters a JSON log line carries (a delete's deleted as updated, already gone as skipped). */
export function progressCounters(p: RunProgress): LogCounters {
  return {
    read: p.read,
    ...('deleted' in p
      ? { updated: p.deleted, inserted: 0, skipped: p.alreadyGone }
      : { updated: p.updated, inserted: p.inserted, skipped: p.skipped }),
    rejected: p.rejected,
    requests: p.requests,
    requestsToday: p.requestsToday ?? null,
    waits: p.waits,
    waitedMs: Math.round(p.waitedMs),
  };
}

export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(s).padStart(2, '0')}s`
      : `${s}s`;
}
