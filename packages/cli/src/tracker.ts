import {
  CHECKPOINT_VERSION,
  type Checkpoint,
  CheckpointKeeper,
  type ResumePosition,
  RowLedger,
  removeCheckpoint,
  type Settlement,
} from '@pxstream/checkpoint';
import { RunStats } from '@pxstream/core';
import type { RejectsWriter } from '@pxstream/sink-errors';
import { csvResumeAfter } from '@pxstream/source-csv';
import { jsonlResumeAfter } from '@pxstream/source-jsonl';
import type { OpenedInput } from './input.js';
import type { InputFormat } from './options.js';
import type { ResumePlan } from './resume.js';

/**
 * Follows every row of a load to its end: rejections reach the rejects file in row order as
 * rows commit (so a resume, which cuts the file back to the checkpoint, never writes one
 * twice), and the checkpoint is kept about once a second.
 */
export class RunTracker {
  readonly ledger: RowLedger<ResumePosition>;
  private readonly keeper: CheckpointKeeper | undefined;

  constructor(
    private readonly ctx: {
      plan: ResumePlan;
      input: OpenedInput;
      format: InputFormat;
      rejects: RejectsWriter;
      /** Index of the first row this run owns (start row, or the checkpoint's watermark). */
      firstIndex: number;
      /** The CSV delimiter once known (for the checkpoint: resuming skips the header). */
      delimiter: () => string | undefined;
    },
  ) {
    const { plan, rejects } = ctx;
    const resumeAfter =
      ctx.format === 'csv'
        ? (row: Parameters<typeof csvResumeAfter>[0]): ResumePosition => csvResumeAfter(row)
        : (row: Parameters<typeof jsonlResumeAfter>[0]): ResumePosition => jsonlResumeAfter(row);
    this.ledger = new RowLedger<ResumePosition>({
      firstIndex: ctx.firstIndex,
      ...(plan.from ? { committed: RunStats.restore(plan.from.counters) } : {}),
      resumeAfter,
      onCommit: (settlement) => {
        if ('rejection' in settlement) rejects.write(settlement.rejection);
      },
    });
    if (plan.path) {
      this.keeper = new CheckpointKeeper({
        path: plan.path,
        capture: () => this.capture(),
        beforeWrite: () => rejects.flush(),
        onError: (error) => this.keeperError?.(error),
      });
    }
  }

  settle(settlement: Settlement): void {
    this.ledger.settle(settlement);
  }

  /** Writes the first checkpoint (an unwritable one fails before anything is sent) and keeps it. */
  async start(onError: (error: unknown) => void): Promise<void> {
    if (!this.keeper) return;
    this.keeperError = onError;
    await this.keeper.write();
    this.keeper.start();
  }

  private keeperError: ((error: unknown) => void) | undefined;

  /**
   * Ends the run's bookkeeping. A complete run removes its checkpoint; any other writes it one
   * last time, then appends the rejections of rows finished above the watermark (a resume
   * processes those rows again and first cuts the file back to the checkpoint's size).
   */
  async finish(complete: boolean): Promise<void> {
    if (this.keeper) {
      await this.keeper.stop();
      if (complete && this.ledger.heldCount === 0) await removeCheckpoint(this.ctx.plan.path as string);
      else await this.keeper.write();
    }
    for (const settlement of this.ledger.takeHeld()) {
      if ('rejection' in settlement) this.ctx.rejects.write(settlement.rejection);
    }
  }

  private capture(): Checkpoint {
    const { plan, input, rejects } = this.ctx;
    const point = this.ledger.resumePoint;
    const delimiter = this.ctx.delimiter();
    const position: ResumePosition | null = point
      ? { ...point, ...(delimiter !== undefined ? { delimiter } : {}) }
      : (plan.from?.position ?? null);
    return {
      version: CHECKPOINT_VERSION,
      writtenAt: new Date().toISOString(),
      input: { name: input.path ?? 'stdin', fingerprint: plan.fingerprint },
      settingsHash: plan.settingsHash,
      position,
      counters: this.ledger.committed.snapshot(),
      rejects: { path: rejects.path, bytes: rejects.bytesWritten },
    };
  }
}
