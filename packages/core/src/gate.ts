import { Transform, type TransformCallback } from 'node:stream';
import type { RowEnvelope } from './row.js';
import type { CountedStage, StageCounts } from './stats.js';
import { newStageCounts } from './stats.js';

export interface RowRange {
  /** First data row index to pass (0-based, inclusive). Default 0. */
  first?: number;
  /** Last data row index to pass (0-based, inclusive). Default: no limit. */
  last?: number;
}

/**
 * Decides which rows belong to the run: those inside a range, and, once the run is stopped,
 * those the source had produced before the stop. It sits right after the source.
 *
 * Parse rejections travel as events, ahead of the rows still buffered in the source, so the
 * pipeline reports each one with `observe(index)`. On `stop()` every row the source produced
 * so far (passed or rejected) stays in the run; rows parsed later are swallowed and are
 * neither counted as read nor sent. That keeps `read = finished + not sent` exact.
 */
export class RowGate extends Transform implements CountedStage {
  readonly counts: StageCounts = newStageCounts();
  readonly first: number;
  readonly last: number;
  private maxSeen = -1;
  private stopAt = Number.POSITIVE_INFINITY;
  private outputEnded = false;

  constructor(range: RowRange = {}) {
    super({ objectMode: true, highWaterMark: 16 });
    this.first = range.first ?? 0;
    this.last = range.last ?? Number.POSITIVE_INFINITY;
  }

  /** Rows with `first <= index < stopIndex` belong to the run. */
  get stopIndex(): number {
    return Math.min(this.stopAt, this.last + 1);
  }

  get stopped(): boolean {
    return this.stopAt !== Number.POSITIVE_INFINITY;
  }

  /** Rows of the run the source has produced so far. */
  get rowsRead(): number {
    return Math.max(0, Math.min(this.maxSeen + 1, this.stopIndex) - this.first);
  }

  /** True when a row (or its rejection) with this index belongs to the run. */
  includes(index: number): boolean {
    return index >= this.first && index < this.stopIndex;
  }

  /** Called for every index the source rejected, as the rejection happens. */
  observe(index: number): void {
    if (!this.stopped && index > this.maxSeen) this.maxSeen = index;
  }

  /** Ends the run after the rows the source produced so far. */
  stop(): void {
    if (this.stopped) return;
    this.stopAt = this.maxSeen + 1;
    if (this.counts.in > 0 && this.lastPassed + 1 >= this.stopIndex) this.endOutput();
  }

  private lastPassed = -1;

  private endOutput(): void {
    if (this.outputEnded) return;
    this.outputEnded = true;
    this.push(null);
  }

  override _transform(row: RowEnvelope, _encoding: BufferEncoding, callback: TransformCallback): void {
    const index = row.index;
    if (!this.stopped && index > this.maxSeen) this.maxSeen = index;
    if (this.outputEnded || index < this.first) {
      callback();
      return;
    }
    if (index >= this.stopIndex) {
      if (index > this.last && !this.stopped) this.stopAt = this.last + 1;
      this.endOutput();
      callback();
      return;
    }
    this.counts.in++;
    this.counts.out++;
    this.lastPassed = index;
    callback(null, row);
    if (this.stopped && index + 1 >= this.stopIndex) this.endOutput();
  }
}
