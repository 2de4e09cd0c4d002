import { grow, shrink } from './growable.js';
import { OP_BYTES } from './journal.js';
import { DELETED, OCCUPIED } from './overlay.js';
import {
  eventValue,
  LEGACY_DAY,
  OP_EVENT_RELEASED,
  OP_RECORD,
  OP_RECORD_FORGOTTEN,
  REMOVED,
} from './state.js';
import { SHARD_COUNT } from './table.js';
import type { LedgerKind } from './target.js';

const EMPTY = new Uint32Array(0);
/** Ops a shard may gather for the fast sort (t * OP_SPAN + op index < 2^53 exactly). */
const OP_SPAN = 2 ** 21;

/** One shard's changes, ready to merge: the last op of each key, sorted by t. */
export interface ShardChanges {
  /** Ops in the overlay's slot layout: 4 words [t, flags | x, a, b], flags OCCUPIED or OCCUPIED | DELETED. */
  readonly slots: Uint32Array;
  /** Offsets (op index * 4) into `slots` of the last op of each key, sorted by t. */
  readonly offsets: Uint32Array;
}

/**
 * A journal's ops, gathered by shard before the snapshot is read, so that each shard's changes
 * are merged into it right after it is read: one sorted merge per shard, instead of a replay
 * through the overlays (each folding into its shard whenever it grows past 1/64 of it). That
 * keeps the replay's memory to 16 bytes an op, given back shard by shard as the table grows
 * (the arrays are resizable: `release` returns their pages at once), and lets the snapshot
 * read leave out the expired entries even when the journal holds ops: it knows which keys the
 * journal changes (see `touches`).
 *
 * An op is kept as the table would apply it: a put (t, x, a, b) or a removal (t, x, a), x = 0
 * for events (see FingerprintTable); for a key the last op wins, as in a replay in order.
 */
export class JournalChanges {
  private readonly ops: Uint32Array[] = [];
  private readonly counts = new Uint32Array(SHARD_COUNT);
  /** The shard whose changes `shard` computed last, and them. */
  private current = -1;
  private changes: ShardChanges = { slots: EMPTY, offsets: EMPTY };
  /** Scratch of `shard`, reused from shard to shard (grown to the largest). */
  private keys = new Float64Array(0);
  private order = new Uint32Array(0);
  private offsets = new Uint32Array(0);
  /** Ops gathered. */
  size = 0;
  /** Event ops written before day stamps (w3 = 0), given `day`. */
  restamped = 0;

  constructor(
    /** Records match on (t, x); events on (t, x, a). */
    readonly matchA: boolean,
    /** The open's day: what an event op written before day stamps takes. */
    private readonly day = 1,
  ) {
    for (let k = 0; k < SHARD_COUNT; k++) this.ops.push(EMPTY); // reserved at a shard's first op
  }

  /**
   * Adds a journal frame's ops (its payload: ops of OP_BYTES, see journal.ts), as
   * LedgerState.apply would apply them, after the ops added before; LEDGER_CORRUPT for an op
   * that does not belong in a `kind` ledger. One loop, the words kept in locals: a day's load
   * leaves millions of ops, and none of them costs an allocation here.
   */
  addFrame(payload: Buffer, kind: LedgerKind): void {
    const records = kind === 'records';
    const xMask = records ? 0xff : 0;
    for (let at = 0; at < payload.length; at += OP_BYTES) {
      const op = payload[at]!;
      const hi = payload.readUInt32LE(at + 1);
      const lo = payload.readUInt32LE(at + 5);
      const a = payload.readUInt32LE(at + 9);
      const w3 = payload.readUInt32LE(at + 13);
      const b =
        op === OP_RECORD && records
          ? w3
          : op === OP_RECORD_FORGOTTEN && records
            ? REMOVED
            : eventValue(kind, op, w3, this.day);
      if (!records && w3 === LEGACY_DAY && op !== OP_EVENT_RELEASED) this.restamped++;
      const k = hi >>> 24;
      const n = this.counts[k]!;
      let ops = this.ops[k]!;
      if ((n + 1) * 4 > ops.length) ops = this.grow(k);
      const s = n * 4;
      ops[s] = ((hi << 8) | (lo >>> 24)) >>> 0;
      ops[s + 1] = (b === REMOVED ? OCCUPIED | DELETED : OCCUPIED) | ((lo >>> 16) & xMask);
      ops[s + 2] = a;
      ops[s + 3] = b === REMOVED ? 0 : b;
      this.counts[k] = n + 1;
    }
    this.size += payload.length / OP_BYTES;
  }

  /** Shard k's array, with room for twice the ops (in place once reserved, see growable.ts). */
  private grow(k: number): Uint32Array {
    const ops = grow(this.ops[k]!, Math.max(1024, this.ops[k]!.length * 2));
    this.ops[k] = ops;
    return ops;
  }

  /**
   * Shard k's changes: the last op of each key, sorted by t. Valid until the changes of another
   * shard are asked for (they share their arrays): the snapshot read takes the shards in turn.
   */
  shard(k: number): ShardChanges {
    if (k !== this.current) {
      this.changes = { slots: this.ops[k]!, offsets: this.lastOps(k) };
      this.current = k;
    }
    return this.changes;
  }

  /** True when shard k's changes hold the key (t, x[, a]): a put or a removal. */
  touches(k: number, t: number, x: number, a: number): boolean {
    const { slots, offsets } = this.shard(k);
    for (let m = lowerBound(slots, offsets, t); m < offsets.length && slots[offsets[m]!] === t; m++) {
      const s = offsets[m]!;
      if ((slots[s + 1]! & 0xff) === x && (!this.matchA || slots[s + 2] === a)) return true;
    }
    return false;
  }

  /** Gives shard k's memory back (once merged): at once, its array being resizable. */
  release(k: number): void {
    shrink(this.ops[k]!, 0);
    this.ops[k] = EMPTY;
    this.counts[k] = 0;
    if (k === this.current) this.current = -1;
  }

  /** Offsets of the last op of each key of shard k, sorted by t. */
  private lastOps(k: number): Uint32Array {
    const n = this.counts[k]!;
    const ops = this.ops[k]!;
    if (this.order.length < n) {
      const size = n + (n >>> 2);
      [this.order, this.offsets] = [new Uint32Array(size), new Uint32Array(size)];
      this.keys = new Float64Array(size < OP_SPAN ? size : 0); // for the numeric sort only
    }
    const order = sortByT(ops, n, this.order, this.keys); // op indices, by t, then in journal order
    const { offsets } = this;
    let kept = 0;
    for (let i = 0; i < n; ) {
      const t = ops[order[i]! * 4]!;
      let j = i + 1;
      while (j < n && ops[order[j]! * 4] === t) j++;
      if (j === i + 1) offsets[kept++] = order[i]! * 4;
      else kept = this.lastOfEachKey(ops, order.subarray(i, j), offsets, kept);
      i = j;
    }
    return offsets.subarray(0, kept);
  }

  /**
   * Among ops of one t (in journal order), the last op of each key, into offsets[kept...];
   * returns the new `kept`. Such a run is short (mostly one key: a pending mark and its
   * confirm), but sorting it keeps any run linear-logarithmic.
   */
  private lastOfEachKey(ops: Uint32Array, run: Uint32Array, offsets: Uint32Array, kept: number): number {
    const { matchA } = this;
    const byKey = Array.from(run).sort(
      (i, j) =>
        (ops[i * 4 + 1]! & 0xff) - (ops[j * 4 + 1]! & 0xff) ||
        (matchA ? ops[i * 4 + 2]! - ops[j * 4 + 2]! : 0) ||
        i - j,
    );
    for (let m = 0; m < byKey.length; m++) {
      const i = byKey[m]!;
      const next = byKey[m + 1];
      const sameKey =
        next !== undefined &&
        (ops[i * 4 + 1]! & 0xff) === (ops[next * 4 + 1]! & 0xff) &&
        (!matchA || ops[i * 4 + 2] === ops[next * 4 + 2]);
      if (!sameKey) offsets[kept++] = i * 4; // a later op of the same key follows otherwise
    }
    return kept;
  }
}

/**
 * Indices of the first n ops, sorted by t, ties in index order: a numeric sort of
 * t * span + index while that is exact, else (2M ops in one shard) a comparison sort.
 * Exported for the tests (`span`, to reach the second way on a few ops).
 */
export function sortByT(
  ops: Uint32Array,
  n: number,
  into = new Uint32Array(n),
  scratch?: Float64Array,
  span = OP_SPAN,
): Uint32Array {
  const order = into.subarray(0, n);
  if (n < span) {
    const keys = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = ops[i * 4]! * span + i;
    keys.sort();
    for (let i = 0; i < n; i++) order[i] = keys[i]! % span;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((i, j) => ops[i * 4]! - ops[j * 4]! || i - j);
}

/** The first m whose op's t is >= t (offsets sorted by t). */
function lowerBound(slots: Uint32Array, offsets: Uint32Array, t: number): number {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (slots[offsets[middle]!]! < t) low = middle + 1;
    else high = middle;
  }
  return low;
}
