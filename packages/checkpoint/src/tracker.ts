import { type Rejection, type RowEnvelope, RunStats } from '@pxstream/core';
import { CHECKPOINT_VERSION, type Checkpoint, type ResumePosition, removeCheckpoint } from './file.js';
import type { InputFingerprint } from './fingerprint.js';
import { CheckpointKeeper } from './keeper.js';
import type { SendLease } from './send-lease.js';
import { isRejected, type Settlement, Watermark } from './watermark.js';

/** What a run knows about checkpoints: where its own goes, and the one it resumes. */
export interface CheckpointSetup {
  /** This run's checkpoint file; undefined when it keeps none. */
  path: string | undefined;
  /** The input's fingerprint, recorded so a resume can tell it is the same input. */
  fingerprint: InputFingerprint;
  /** A hash of the settings that decide the rows and their bodies. */
  settingsHash: string;
  /** The checkpoint this run continues. */
  from: Checkpoint | undefined;
}

/** Where a run's rejections go, in row order: the rejects file (sink-errors' writer has this shape). */
export interface RejectsOutput {
  write(rejection: Rejection): void;
  /** Resolves once everything written is on disk. */
  flush(): Promise<void>;
  readonly path: string;
  readonly bytesWritten: number;
}

/**
 * Follows every row of a load to its end: rejections reach the rejects file in row order as
 * rows commit (so a resume, which cuts the file back to the checkpoint, never writes one
 * twice), and the checkpoint is kept about once a second.
 */
export class RunTracker {
  readonly watermark: Watermark<ResumePosition>;
  private readonly keeper: CheckpointKeeper | undefined;

  constructor(
    private readonly ctx: {
      checkpoint: CheckpointSetup;
      /** The input's path, or its name (`stdin`), for the checkpoint. */
      inputName: string;
      /** Where to read again after a finished row (`resumeAfterOf`). */
      resumeAfter: (row: RowEnvelope) => ResumePosition;
      rejects: RejectsOutput;
      /** Index of the first row this run owns (start row, or the checkpoint's watermark). */
      firstIndex: number;
      /** The CSV delimiter once known (for the checkpoint: resuming skips the header). */
      delimiter: () => string | undefined;
      /** CUSTOM_EVENT: the rows that may have reached PX, recorded in every checkpoint. */
      lease?: SendLease | undefined;
      /** CUSTOM_EVENT with the events ledger: the input's identity for undated events. */
      eventInput?: string | undefined;
    },
  ) {
    const { checkpoint, rejects } = ctx;
    const { resumeAfter } = ctx;
    this.watermark = new Watermark<ResumePosition>({
      firstIndex: ctx.firstIndex,
      ...(checkpoint.from ? { committed: RunStats.restore(checkpoint.from.counters) } : {}),
      resumeAfter,
      onCommit: (settlement) => {
        if (isRejected(settlement)) rejects.write(settlement);
      },
    });
    if (checkpoint.path) {
      this.keeper = new CheckpointKeeper({
        path: checkpoint.path,
        capture: () => this.capture(),
        beforeWrite: () => rejects.flush(),
        onError: (error) => this.keeperError?.(error),
        afterWrite: (checkpoint) => ctx.lease?.written(checkpoint.sentCeiling),
      });
    }
  }

  settle(settlement: Settlement): void {
    this.watermark.settle(settlement);
  }

  /** Writes the first checkpoint (an unwritable one fails before anything is sent) and keeps it. */
  async start(onError: (error: unknown) => void): Promise<void> {
    if (!this.keeper) return;
    this.keeperError = onError;
    await this.keeper.write();
    this.keeper.start();
  }

  private keeperError: ((error: unknown) => void) | undefined;

  /** Writes a checkpoint now, outside the regular ones (the send lease needs a new ceiling). */
  async writeNow(): Promise<void> {
    await this.keeper?.write();
  }

  /**
   * Ends the run's bookkeeping; returns whether a checkpoint is left to resume from. A complete
   * run removes its checkpoint, and so does a fresh run that stopped before reading a row (a
   * header that does not match the mapping, say): nothing was sent, so there is nothing to
   * resume, and the same command runs it again. Any other writes it one last time, then
   * appends the rejections of rows finished above the watermark (a resume processes those rows
   * again and first cuts the file back to the checkpoint's size).
   */
  async finish(complete: boolean, rowsRead: number): Promise<boolean> {
    let kept = false;
    this.ctx.lease?.close();
    if (this.keeper) {
      await this.keeper.stop();
      const path = this.ctx.checkpoint.path as string;
      const nothingDone = rowsRead === 0 && !this.ctx.checkpoint.from;
      // The checkpoint goes only once every rejection is on disk: a failed write keeps it.
      if (complete && !nothingDone) await this.ctx.rejects.flush();
      if ((complete && this.watermark.heldCount === 0) || nothingDone) await removeCheckpoint(path);
      else {
        await this.keeper.write();
        kept = true;
      }
    }
    for (const settlement of this.watermark.takeHeld()) {
      if (isRejected(settlement)) this.ctx.rejects.write(settlement);
    }
    return kept;
  }

  private capture(): Checkpoint {
    const { checkpoint, inputName, rejects } = this.ctx;
    const point = this.watermark.resumePoint;
    const delimiter = this.ctx.delimiter();
    const position: ResumePosition | null = point
      ? { ...point, ...(delimiter !== undefined ? { delimiter } : {}) }
      : (checkpoint.from?.position ?? null);
    return {
      version: CHECKPOINT_VERSION,
      writtenAt: new Date().toISOString(),
      input: { name: inputName, fingerprint: checkpoint.fingerprint },
      settingsHash: checkpoint.settingsHash,
      position,
      counters: this.watermark.committed.snapshot(),
      rejects: { path: rejects.path, bytes: rejects.bytesWritten },
      ...(this.ctx.lease ? { sentCeiling: this.ctx.lease.ceiling() } : {}),
      ...(this.ctx.eventInput !== undefined ? { eventInput: this.ctx.eventInput } : {}),
    };
  }
}
