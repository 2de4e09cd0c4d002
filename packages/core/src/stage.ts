import { Transform, type TransformCallback } from 'node:stream';
import type { Rejection, StageName } from './rejection.js';
import { emitRejection, isRejection } from './rejection.js';
import type { RowEnvelope } from './row.js';
import type { CountedStage, StageCounts } from './stats.js';
import { newStageCounts } from './stats.js';

/**
 * A pure, synchronous row step: returns the row (changed in place or not) to pass it on, or a
 * rejection. Mapper and validator are written as steps; streams are thin wrappers around them.
 */
export interface RowStep {
  readonly stage: StageName;
  process(row: RowEnvelope): RowEnvelope | Rejection;
}

/** Runs one step on a row. A step must not throw for a bad row; if it does, the row is rejected (`INTERNAL`), not the run. */
export function runStep(step: RowStep, row: RowEnvelope): RowEnvelope | Rejection {
  try {
    return step.process(row);
  } catch (error) {
    return {
      row,
      stage: step.stage,
      code: 'INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

/** A Transform over row envelopes that runs one or more steps and keeps per-step counts. */
export class RowStepTransform extends Transform implements CountedStage {
  readonly counts: StageCounts = newStageCounts();
  /** Per-step counts, in step order. */
  readonly stepCounts: readonly StageCounts[];
  private readonly steps: readonly RowStep[];
  private admission: ((row: RowEnvelope) => boolean) | undefined;

  constructor(steps: readonly RowStep[], highWaterMark = 64) {
    super({ objectMode: true, highWaterMark });
    if (steps.length === 0) throw new TypeError('RowStepTransform needs at least one step');
    this.steps = steps;
    this.stepCounts = steps.map(() => newStageCounts());
  }

  /**
   * Runs `admit` before the steps: a row it refuses is dropped, uncounted. The pipeline puts
   * its row gate here rather than in a stream of its own. Once per stream.
   */
  admitWith(admit: (row: RowEnvelope) => boolean): void {
    if (this.admission !== undefined) throw new Error('RowStepTransform already has an admission check');
    this.admission = admit;
  }

  /** True once `admitWith` was called. */
  get hasAdmission(): boolean {
    return this.admission !== undefined;
  }

  override _transform(row: RowEnvelope, _encoding: BufferEncoding, callback: TransformCallback) {
    if (this.admission !== undefined && !this.admission(row)) {
      callback();
      return;
    }
    this.counts.in++;
    const steps = this.steps;
    const stepCounts = this.stepCounts;
    let current: RowEnvelope = row;
    for (let i = 0; i < steps.length; i++) {
      const counts = stepCounts[i]!;
      counts.in++;
      const result = runStep(steps[i]!, current);
      if (isRejection(result)) {
        counts.rejected++;
        this.counts.rejected++;
        emitRejection(this, result);
        callback();
        return;
      }
      counts.out++;
      current = result;
    }
    this.counts.out++;
    callback(null, current);
  }
}

/** Wraps steps (e.g. mapper then validator) in one object-mode Transform. */
export function createStepStream(...steps: RowStep[]): RowStepTransform {
  return new RowStepTransform(steps);
}
