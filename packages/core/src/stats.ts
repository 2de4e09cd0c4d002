import type { Rejection, StageName } from './rejection.js';
import { STAGES } from './rejection.js';
import type { RowEnvelope } from './row.js';

/** How a row that reached the sink ended. `dry-run`: printed instead of sent. */
export type OutcomeKind = 'updated' | 'inserted' | 'skipped' | 'dry-run';

/** What a sink emits (event `outcome`) once per row it finished without rejecting it. */
export interface RowOutcome {
  readonly row: RowEnvelope;
  readonly outcome: OutcomeKind;
  /** Why a row was skipped, e.g. `no match` (404 in update mode). */
  readonly reason?: string;
}

/** The event name sinks use to announce a finished row. */
export const OUTCOME_EVENT = 'outcome';

/** Rows in, rows out and rows rejected by one stage: readable at any time during a run. */
export interface StageCounts {
  in: number;
  out: number;
  rejected: number;
}

/** A stage stream that keeps its counts (sources count rows read as `in`). */
export interface CountedStage {
  readonly counts: StageCounts;
}

export function newStageCounts(): StageCounts {
  return { in: 0, out: 0, rejected: 0 };
}

export interface RunStatsSnapshot {
  read: number;
  updated: number;
  inserted: number;
  skipped: number;
  dryRun: number;
  rejected: number;
  notSent: number;
  rejectedByStage: Record<StageName, number>;
  rejectedByCode: Record<string, number>;
  skippedByReason: Record<string, number>;
}

/**
 * Counters of one run. Every row read must end in exactly one of: updated, inserted,
 * skipped, dry-run, rejected, or (when the run stopped early) not sent.
 */
export class RunStats {
  /** Rows the source produced, good or rejected. Set by whoever owns the source. */
  read = 0;
  /**
   * Rows read by an earlier run this one resumes (see `restore`): the pipeline adds the rows
   * it reads itself to this.
   */
  readBase = 0;
  updated = 0;
  inserted = 0;
  skipped = 0;
  dryRun = 0;
  rejected = 0;
  readonly rejectedByStage: Record<StageName, number> = { parse: 0, map: 0, validate: 0, send: 0 };
  readonly rejectedByCode = new Map<string, number>();
  readonly skippedByReason = new Map<string, number>();

  recordRejection(rejection: Rejection): void {
    this.rejected++;
    this.rejectedByStage[rejection.stage]++;
    this.rejectedByCode.set(rejection.code, (this.rejectedByCode.get(rejection.code) ?? 0) + 1);
  }

  recordOutcome(outcome: RowOutcome): void {
    switch (outcome.outcome) {
      case 'updated':
        this.updated++;
        break;
      case 'inserted':
        this.inserted++;
        break;
      case 'skipped': {
        this.skipped++;
        const reason = outcome.reason ?? 'unspecified';
        this.skippedByReason.set(reason, (this.skippedByReason.get(reason) ?? 0) + 1);
        break;
      }
      case 'dry-run':
        this.dryRun++;
        break;
    }
  }

  /** Rows that ended somewhere. */
  get finished(): number {
    return this.updated + this.inserted + this.skipped + this.dryRun + this.rejected;
  }

  /** Rows read that never reached an end (the run stopped early): never silently dropped. */
  get notSent(): number {
    return Math.max(0, this.read - this.finished);
  }

  /**
   * Counters that continue those of an earlier run (a resumed load): the rows it finished
   * count as read and ended here too, so the final figures equal those of one clean run.
   */
  static restore(snapshot: RunStatsSnapshot): RunStats {
    const stats = new RunStats();
    stats.read = snapshot.read;
    stats.readBase = snapshot.read;
    stats.updated = snapshot.updated;
    stats.inserted = snapshot.inserted;
    stats.skipped = snapshot.skipped;
    stats.dryRun = snapshot.dryRun;
    stats.rejected = snapshot.rejected;
    for (const stage of STAGES) stats.rejectedByStage[stage] = snapshot.rejectedByStage[stage] ?? 0;
    for (const [code, n] of Object.entries(snapshot.rejectedByCode)) stats.rejectedByCode.set(code, n);
    for (const [reason, n] of Object.entries(snapshot.skippedByReason)) stats.skippedByReason.set(reason, n);
    return stats;
  }

  snapshot(): RunStatsSnapshot {
    const rejectedByStage = {} as Record<StageName, number>;
    for (const stage of STAGES) rejectedByStage[stage] = this.rejectedByStage[stage];
    return {
      read: this.read,
      updated: this.updated,
      inserted: this.inserted,
      skipped: this.skipped,
      dryRun: this.dryRun,
      rejected: this.rejected,
      notSent: this.notSent,
      rejectedByStage,
      rejectedByCode: Object.fromEntries(this.rejectedByCode),
      skippedByReason: Object.fromEntries(this.skippedByReason),
    };
  }
}
