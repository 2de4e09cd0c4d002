import { EventEmitter } from 'node:events';
import { Transform, type TransformCallback } from 'node:stream';
import type { RowEnvelope } from './row.js';
import type { CountedStage, StageCounts } from './stats.js';
import { newStageCounts } from './stats.js';

export interface RowRange {
  /** First data row index to pass (0-based, inclusive). Default 0. */
  first?: number;
  /** Last data row index to pass (0-based, inclusive). Default: no limit. */
  last?: number;
  /**
   * Sees each row before `first` as the range drops it, for a step whose answer depends on
   * the rows before (the occurrence count of identical events on resume). Rows after the
   * range or after a stop are not shown.
   */
  beforeFirst?: (row: RowEnvelope) => void;
}

/**
 * Decides which rows belong to the run: those inside a range, and, once the run is stopped,
 * those the source had produced before the stop. It sees every row right after the source.
 *
 * Parse rejections travel as events, ahead of the rows still buffered in the source, so the
 * pipeline reports each one with `observe(index)`. On `stop()` every row the source produced
 * so far (passed or rejected) stays in the run; rows parsed later are swallowed and are
 * neither counted as read nor sent. That keeps `read = finished + not sent` exact.
 *
 * Plain logic with an `admit(row)` check: the pipeline runs it inside the first step stream
 * (one stream hop less per row), or wraps it in a `RowGate` stream. Emits `stopped` once.
 */
export class RangeGate extends EventEmitter implements CountedStage {
  readonly counts: StageCounts = newStageCounts();
  readonly first: number;
  readonly last: number;
  private maxSeen = -1;
  private stopAt = Number.POSITIVE_INFINITY;
  private readonly beforeFirst: ((row: RowEnvelope) => void) | undefined;

  constructor(range: RowRange = {}) {
    super();
    this.first = range.first ?? 0;
    this.last = range.last ?? Number.POSITIVE_INFINITY;
    this.beforeFirst = range.beforeFirst;
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
   * stop being read; rows that still arrive are dropped. (A stream gate that ended its output
   * here instead, with `push(null)`, could strand a transform callback held for backpressure
   * and hang the pipeline.)
   */
  stop(): void {
    if (this.stopped) return;
    this.stopAt = this.maxSeen + 1;
    this.emit('stopped');
  }

  /** Whether `row` goes on; rows outside the range or after a stop are dropped. */
  admit(row: RowEnvelope): boolean {
    const index = row.index;
    if (!this.stopped && index > this.maxSeen) this.maxSeen = index;
    if (index < this.first) {
      this.beforeFirst?.(row);
      return false;
    }
    if (index >= this.stopIndex) {
      // Past the range's last row: the run needs no more input.
      if (index > this.last && !this.stopped) {
        this.stopAt = this.last + 1;
        this.emit('stopped');
      }
      return false;
    }
    this.counts.in++;
    this.counts.out++;
    return true;
  }
}

/** A `RangeGate` as an object-mode stream, for pipelines whose first stage is not a step stream. */
export class RowGate extends Transform implements CountedStage {
  readonly gate: RangeGate;

  constructor(range: RowRange | RangeGate = {}) {
    super({ objectMode: true, highWaterMark: 16 });
    this.gate = range instanceof RangeGate ? range : new RangeGate(range);
  }

  get counts(): StageCounts {
    return this.gate.counts;
  }

  override _transform(row: RowEnvelope, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.gate.admit(row)) callback(null, row);
    else callback();
  }
}
