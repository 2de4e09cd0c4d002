import { Transform, type TransformCallback } from 'node:stream';
import { EVENT_MAYBE_RECORDED, type Rejection, type RowEnvelope, type RowStep } from '@pxstream/core';

/**
 * CUSTOM_EVENT loads only. PX has no idempotency key for events and no way to read one back,
 * so after a crash (kill -9, power loss) the rows that may have reached PX must not be sent
 * again: that would record them twice. The lease bounds those rows: no row is handed to the
 * sink unless a checkpoint on disk already names a ceiling at or above its index. A resume
 * then knows that the rows from the watermark up to that ceiling may be recorded.
 *
 * The ceiling runs `step` rows ahead of the rows handed, so the checkpoint's regular writes
 * (about once a second) keep extending it; a write is forced only when the sink catches up.
 */
export class SendLease {
  /** Highest row index handed to the sink, or inherited as possibly sent. */
  private handed: number;
  /** Highest row index a checkpoint on disk covers. */
  private granted: number;
  /** Highest row index waiting for a ceiling. */
  private wanted: number;
  private closed = false;

  constructor(
    private readonly step: number,
    /** The run's first row minus one, or the ceiling inherited from the checkpoint resumed. */
    floor: number,
  ) {
    this.handed = floor;
    this.granted = floor;
    this.wanted = floor;
  }

  /** The ceiling a checkpoint written now records. */
  ceiling(): number {
    if (this.closed) return this.handed;
    return Math.max(this.granted, Math.max(this.handed, this.wanted) + this.step);
  }

  /** A checkpoint recording `ceiling` is on disk. */
  written(ceiling: number | undefined): void {
    if (ceiling !== undefined && ceiling > this.granted && !this.closed) this.granted = ceiling;
  }

  /** Nothing more is handed to the sink: later checkpoints record the rows actually handed. */
  close(): void {
    this.closed = true;
  }

  /** The stream in front of the sink: holds a row until a checkpoint covers it. */
  gate(writeCheckpoint: () => Promise<void>): Transform {
    const lease = this;
    const pass = (row: RowEnvelope, callback: TransformCallback) => {
      if (row.index > lease.handed) lease.handed = row.index;
      callback(null, row);
    };
    return new Transform({
      objectMode: true,
      highWaterMark: 16,
      transform(row: RowEnvelope, _encoding, callback) {
        if (row.index <= lease.granted) return pass(row, callback);
        if (row.index > lease.wanted) lease.wanted = row.index;
        const wait = async () => {
          while (row.index > lease.granted && !lease.closed) await writeCheckpoint();
        };
        wait().then(
          () => (lease.closed ? callback() : pass(row, callback)),
          (error: unknown) => callback(error as Error),
        );
      },
    });
  }
}

/**
 * Resuming a CUSTOM_EVENT load: the rows the earlier run may have sent (from the watermark up
 * to its checkpoint's ceiling) are rejected, not sent again; valid rows only, so a row that
 * was invalid keeps its own rejection.
 */
export function maybeRecordedStep(from: number, to: number): RowStep {
  return {
    stage: 'send',
    process(row: RowEnvelope): RowEnvelope | Rejection {
      if (row.index < from || row.index > to) return row;
      return {
        row,
        stage: 'send',
        code: EVENT_MAYBE_RECORDED,
        message:
          'the event was in flight when the earlier run stopped: PX may have recorded it, so it ' +
          'was not sent again (check PX before loading this row again)',
      };
    },
  };
}
