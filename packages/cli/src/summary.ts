import type { LoadReport } from '@pxstream/load';
import { sayMirror } from './delete-lines.js';
import type { CliIO } from './io.js';
import type { LogCounters, Logger } from './logger.js';
import type { CliLoadOptions } from './options.js';
import { formatDuration } from './progress.js';

/**
 * What the command prints at the end of a load that ran: Gainsight's `DONE` line on stdout
 * (stderr in a dry run, where stdout carries the bodies) and a line of figures, or the plan;
 * after a fatal error no `DONE` line (wrappers written for Gainsight's loader grep it as
 * success), but the counts so far; and how to carry on when the load did not reach the end.
 */
export function summarize(io: CliIO, options: CliLoadOptions, log: Logger, report: LoadReport): void {
  log.counters = reportCounters(report);
  if (!options.quiet) {
    const out = options.dryRun ? io.stderr : io.stdout;
    const rows = report.rows;
    if (options.dryRun) log.info(`dry run: ${rows.dryRun} bodies printed, nothing sent`);
    if (report.plan) {
      out.write(`${planLine(report)}\n`);
      sayMirror(out, log, report);
      const requests = planRequestsLine(report);
      if (requests) log.info(requests, 'PLAN_REQUESTS');
      log.info(figuresLine(report), 'SUMMARY');
      return;
    }
    if (rows.notSent > 0 && !options.dryRun)
      log.info(`${rows.notSent} rows read but not sent (the run stopped early)`);
    // Not after the rejects file failed: the error above names it, and not every row reached it.
    if (rows.rejected > 0 && report.rejectsFile && report.error?.code !== 'REJECTS_WRITE_FAILED')
      log.info(`${rows.rejected} rejected rows written to ${report.rejectsFile}`);
    if (fatal(report)) log.info(`stopped by the error above: ${countsText(report)} so far`, 'SUMMARY');
    else {
      out.write(`${doneLine(report)}\n`);
      sayMirror(out, log, report);
    }
    log.info(figuresLine(report), 'SUMMARY');
    const inFlight = inFlightLine(report);
    if (inFlight) log.verbose(inFlight, 'IN_FLIGHT');
  }
  if (!report.complete) {
    const advice = resumeAdvice(report);
    if (advice) log.info(advice);
  }
}

/** A fatal error ended the run (not a stop by a signal, even one that aborted requests). */
function fatal(report: LoadReport): boolean {
  return report.error !== null && !report.interrupted;
}

/** The counters JSON log lines carry at the end. */
export function reportCounters(report: LoadReport): LogCounters {
  return {
    read: report.rows.read,
    updated: report.updated,
    inserted: report.inserted,
    skipped: report.skipped,
    rejected: report.rejected,
    requests: report.requests,
    requestsToday: report.requestsToday,
    waits: report.waits,
    waitedMs: report.waitedMs,
  };
}

/** `--plan`'s line: what a load of this input would do. */
export function planLine(report: LoadReport): string {
  const p = report.plan!;
  if (report.type === 'CUSTOM_EVENT') {
    return `PLAN: ${p.new} new, ${p.unchanged} already sent, ${p.inDoubt} in doubt, ${p.invalid} invalid rows`;
  }
  // No ledger yet: "new" would read as "PX lacks them" (issue 26: 3,000 users PX had, "3000 new").
  if (report.planRequests?.fromLedger === false) {
    return `PLAN: ${p.new} not in the ledger (no ledger yet: what PX holds is not known), ${p.repeatedIds} ids on more than one row, ${p.invalid} invalid rows`;
  }
  return `PLAN: ${p.new} new, ${p.changed} changed, ${p.unchanged} unchanged, ${p.repeatedIds} ids on more than one row, ${p.invalid} invalid rows`;
}

/** `--plan`'s note (stderr: stdout keeps the one PLAN line): the requests a load needs and its days. */
export function planRequestsLine(report: LoadReport): string | undefined {
  const p = report.planRequests;
  if (!p) return undefined;
  const days = p.days === 1 ? '1 day' : `${p.days} days`;
  const at =
    report.dailyBudget !== null
      ? `the daily budget of ${p.perDay} requests`
      : `PX's quota of ${p.perDay} requests a day`;
  return `a load would send about ${p.requests} requests: ${days} at ${at}`;
}

/** `N updated, N inserted, N skipped, N errors`. */
function countsText(report: LoadReport): string {
  return `${report.updated} updated, ${report.inserted} inserted, ${report.skipped} skipped, ${report.rejected} errors`;
}

/** Gainsight's closing line, kept exactly: `DONE: N updated, N inserted, N skipped, N errors`. */
export function doneLine(report: LoadReport): string {
  return `DONE: ${countsText(report)}`;
}

/**
 * The line after DONE: elapsed time, rows/s, requests, retries and 429s; the requests sent to
 * this PX today (of the daily budget) and the waits, when there are.
 */
export function figuresLine(
  report: Pick<
    LoadReport,
    | 'durationMs'
    | 'rowsPerSecond'
    | 'requests'
    | 'retries'
    | 'http429'
    | 'requestsToday'
    | 'dailyBudget'
    | 'waits'
    | 'waitedMs'
  >,
): string {
  const seconds = report.durationMs / 1000;
  const elapsed = seconds < 60 ? `${seconds.toFixed(1)} s` : formatDuration(report.durationMs);
  let line = `${elapsed}, ${report.rowsPerSecond} rows/s, ${report.requests} requests, ${report.retries} retries, ${report.http429} 429s`;
  if (report.requestsToday !== null) {
    const budget = report.dailyBudget === null ? '' : ` of the daily budget of ${report.dailyBudget}`;
    line += `, ${report.requestsToday} requests today${budget}`;
  }
  if (report.waits > 0) {
    line += `, ${report.waits} ${report.waits === 1 ? 'wait' : 'waits'} (${formatDuration(report.waitedMs)})`;
  }
  return line;
}

/**
 * --verbose, after the figures: the requests in flight the load allowed and the round trip they
 * were sized from (`requests in flight: at most 295; round trip p50 1101 ms, p90 1180 ms`).
 */
export function inFlightLine(report: LoadReport): string | undefined {
  if (report.concurrency === null || report.roundTripMs === null) return undefined;
  const { p50, p90 } = report.roundTripMs;
  return `requests in flight: at most ${report.concurrency}; round trip p50 ${Math.round(p50)} ms, p90 ${Math.round(p90)} ms`;
}

/** `in 7h12m`: from now to the next 00:00 UTC. */
function untilMidnight(now = new Date()): string {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const minutes = Math.ceil((midnight - now.getTime()) / 60_000);
  return `in ${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * What to do after a load that did not reach the end: with a checkpoint, resume (later, when
 * PX or the budget stopped it); without one (nothing was read), run the same command again
 * once the cause is fixed.
 */
export function resumeAdvice(report: Pick<LoadReport, 'checkpoint' | 'error'>): string | undefined {
  const again = report.checkpoint
    ? `run the same command with --resume to carry on (checkpoint: ${report.checkpoint})`
    : 'run the same command again';
  switch (report.error?.code) {
    case 'PX_DAILY_QUOTA':
      // PX does not document when its day turns (midnight UTC, or 24 hours on): no time is promised.
      return `PX says its daily request quota is spent (when it resets is not documented): later, ${again}`;
    case 'PX_DAILY_BUDGET':
      return `the daily budget is used until 00:00 UTC (${untilMidnight()}): then ${again}`;
    case 'PX_UNAVAILABLE':
      return `PX did not answer (--no-wait): later, ${again}`;
    default:
      return report.checkpoint ? again : undefined;
  }
}
