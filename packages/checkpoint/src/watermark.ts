import { type Rejection, type RowEnvelope, type RowOutcome, RunStats } from '@pxstream/core';

/**
 * How one row ended: the sink's outcome, or a rejection from any stage, as they were announced
 * (no wrapper: this runs once per row).
 */
export type Settlement = RowOutcome | Rejection;

/** True for a rejection, false for an outcome. */
export function isRejected(settlement: Settlement): settlement is Rejection {
  return !('outcome' in settlement);
}

export function settlementRow(settlement: Settlement): RowEnvelope {
  return settlement.row;
}

/**
 * An outcome finished above the watermark, as little as commits need: one small object per
 * row, no fields, no body (see `Watermark.keep`).
 */
interface HeldOutcome<P> {
  readonly outcome: RowOutcome['outcome'];
  readonly reason: string | undefined;
  readonly line: number;
  readonly endOffset: number | undefined;
  /** The resume point after the row, computed when it was held (its fields are not kept). */
  readonly point: P;
}

/** A row finished above the watermark: a rejection whole, an outcome as a `HeldOutcome`. */
type Held<P> = Rejection | HeldOutcome<P>;

const NO_FIELDS: readonly string[] = Object.freeze([]);

export interface WatermarkOptions<P> {
  /** Index of the first row this run owns: rows below it are finished or outside the range. */
  firstIndex: number;
  /** Counters of the rows an earlier run already committed (resume); fresh otherwise. */
  committed?: RunStats;
  /** The point to resume reading after a row (`csvResumeAfter`, `jsonlResumeAfter`). */
  resumeAfter: (row: RowEnvelope) => P;
  /**
   * Called once per row as it commits, in row order (e.g. to write its rejection). An outcome
   * that waited above the watermark comes with its row's position only (index, line,
   * endOffset), not its fields or body.
   */
  onCommit?: (settlement: Settlement) => void;
}

/**
 * Tracks which rows are finished when they finish out of order (requests complete in any
 * order), and commits them in order: the watermark is the lowest index not yet finished,
 * so every row below it is done and a restart may begin there.
 *
 * Only rows finished above the watermark are held, and backpressure bounds those to the rows
 * in flight; in the common in-order case a row commits without being stored at all.
 */
export class Watermark<P> {
  /** Counters of committed rows only: what a checkpoint may promise. */
  readonly committed: RunStats;
  private next: number;
  /** The last committed row; its resume point is computed when read (about once a second). */
  private lastCommitted: RowEnvelope | undefined;
  private point: { row: RowEnvelope; value: P } | undefined;
  private readonly held = new Map<number, Held<P>>();
  private readonly options: WatermarkOptions<P>;

  constructor(options: WatermarkOptions<P>) {
    this.options = options;
    this.next = options.firstIndex;
    this.committed = options.committed ?? new RunStats();
  }

  /** The lowest row index not yet finished: every row of the run below it is. */
  get watermark(): number {
    return this.next;
  }

  /**
   * Where to resume reading: just past the last committed row (undefined before the first).
   * Computed on demand, not per commit: the checkpoint and the progress line read it about
   * once a second, and a dry run never does.
   */
  get resumePoint(): P | undefined {
    const row = this.lastCommitted;
    if (row === undefined) return undefined;
    if (this.point?.row !== row) this.point = { row, value: this.options.resumeAfter(row) };
    return this.point.value;
  }

  /** Rows finished above the watermark, waiting for a slower row below them. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Records that a row ended. Each row must be settled once. */
  settle(settlement: Settlement): void {
    const index = settlement.row.index;
    if (index < this.next || this.held.has(index)) {
      throw new Error(`row ${index} settled twice (watermark ${this.next})`);
    }
    if (index !== this.next) {
      this.held.set(index, this.keep(settlement));
      return;
    }
    this.commit(settlement, undefined);
    for (let waiting = this.held.get(this.next); waiting; waiting = this.held.get(this.next)) {
      const index = this.next;
      this.held.delete(index);
      if ('point' in waiting) this.commit(settlementOf(index, waiting), waiting.point);
      else this.commit(waiting, undefined);
    }
  }

  /**
   * What is kept of a row finished above the watermark. A rejection whole (the rejects file
   * quotes its row). An outcome as a `HeldOutcome` (kind, reason, position, resume point; no
   * fields, no body): in a rate-bound `--changed-only` load every unchanged row behind one
   * waiting request is held, 7,000 and more at a time, each long enough to outlive two
   * young-generation collections, and kept whole they filled the old generation with dead rows
   * (one of the causes of the 334 MB peak RSS at 10M ids, bench/RESULTS.md case 9).
   */
  private keep(settlement: Settlement): Held<P> {
    if (isRejected(settlement)) return settlement;
    const { row } = settlement;
    return {
      outcome: settlement.outcome,
      reason: settlement.reason,
      line: row.line,
      endOffset: row.endOffset,
      point: this.options.resumeAfter(row),
    };
  }

  /**
   * The rows finished above the watermark, in row order, removed from the ledger. For the end
   * of a run that stopped early: their rejections still belong in the rejects file, though a
   * resume will process them again (it truncates the file back to the checkpoint first).
   */
  takeHeld(): Settlement[] {
    const rows = [...this.held.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([index, held]) => ('point' in held ? settlementOf(index, held) : held));
    this.held.clear();
    return rows;
  }

  private commit(settlement: Settlement, point: P | undefined): void {
    const row = settlement.row;
    this.committed.read++;
    if (isRejected(settlement)) this.committed.recordRejection(settlement);
    else this.committed.recordOutcome(settlement);
    this.lastCommitted = row;
    if (point !== undefined) this.point = { row, value: point };
    this.next = row.index + 1;
    this.options.onCommit?.(settlement);
  }
}

/** The outcome of a held row as commits announce it: its row's position only. */
function settlementOf<P>(index: number, held: HeldOutcome<P>): RowOutcome {
  const row: RowEnvelope = {
    index,
    line: held.line,
    fields: NO_FIELDS,
    ...(held.endOffset === undefined ? {} : { endOffset: held.endOffset }),
  };
  return held.reason === undefined
    ? { row, outcome: held.outcome }
    : { row, outcome: held.outcome, reason: held.reason };
}
