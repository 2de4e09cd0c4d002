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

  /**
   * Ends the run after the rows the source produced so far. Emits `stopped` so the input can
   * stop being read; the output then ends when the source does (rows after the stop are
   * dropped). Ending the output here instead, with `push(null)`, could strand a transform
   * callback held for backpressure and hang the pipeline.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopAt = this.maxSeen + 1;
    this.emit('stopped');
  }

  override _transform(row: RowEnvelope, _encoding: BufferEncoding, callback: TransformCallback): void {
    const index = row.index;
    if (!this.stopped && index > this.maxSeen) this.maxSeen = index;
    if (index < this.first || index >= this.stopIndex) {
      // Past the range's last row: the run needs no more input.
      if (index > this.last && !this.stopped) {
        this.stopAt = this.last + 1;
        this.emit('stopped');
      }
      callback();
      return;
    }
    this.counts.in++;
    this.counts.out++;
    callback(null, row);
  }
}
