import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowEnvelope, RowStep } from '@pxstream/core';

/** Fingerprints held in memory before a sorted run of them goes to a temporary file (8 MiB). */
const CHUNK = 1 << 20;
/** Fingerprints read at a time from each run while merging (64 KiB). */
const READ_BLOCK = 8192;

/**
 * Counts the ids that appear on more than one row, in bounded memory whatever the input's size:
 * each id becomes a 53-bit fingerprint (a double, so typed-array sorts need no BigInt); a full
 * chunk of them is sorted and written to a temporary file, and `count()` merges the sorted
 * runs, counting the fingerprints that occur twice or more. A set of the ids seen would grow
 * with the input (about 100 bytes per id in a `Set<string>`: a gigabyte at 10M ids); this holds
 * 8 MiB, plus 64 KiB per run while merging. Two different ids share a fingerprint with odds of
 * about n²/2^54: 0.005 expected false pairs in 10M ids.
 *
 * As a row step it sees every row that passed validation and passes it on untouched.
 */
export class RepeatCounter implements RowStep {
  readonly stage = 'validate' as const;
  private readonly chunk: Float64Array;
  private size = 0;
  private dir: string | undefined;
  private readonly runs: string[] = [];

  /** `chunkSize`: fingerprints held before a run is written (tests make it small). */
  constructor(chunkSize = CHUNK) {
    this.chunk = new Float64Array(chunkSize);
  }

  /** Temporary files written so far (sorted runs). */
  get spilled(): number {
    return this.runs.length;
  }

  process(row: RowEnvelope): RowEnvelope {
    if (row.key !== undefined) this.add(row.key);
    return row;
  }

  add(id: string): void {
    this.addFingerprint(fingerprint(id));
  }

  /** Adds an id by its `fingerprint` (taken on another thread). */
  addFingerprint(value: number): void {
    this.chunk[this.size++] = value;
    if (this.size === this.chunk.length) this.spill();
  }

  /** Ids seen on two rows or more. Removes the temporary files; the counter is empty after. */
  count(): number {
    try {
      const held = this.chunk.subarray(0, this.size).sort();
      if (this.runs.length === 0) return countRepeats(sortedValues(held));
      return countRepeats(merge([sortedValues(held), ...this.runs.map(readRun)]));
    } finally {
      this.close();
    }
  }

  /** Removes the temporary files (idempotent). */
  close(): void {
    this.size = 0;
    this.runs.length = 0;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private spill(): void {
    const sorted = this.chunk.subarray(0, this.size).sort();
    this.dir ??= mkdtempSync(join(tmpdir(), 'pxstream-repeats-'));
    const path = join(this.dir, `run-${this.runs.length}`);
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, new Uint8Array(sorted.buffer, sorted.byteOffset, sorted.byteLength));
    } finally {
      closeSync(fd);
    }
    this.runs.push(path);
    this.size = 0;
  }
}

/** A 53-bit fingerprint of a string: two 32-bit multiplicative hashes (FNV-style) joined. */
export function fingerprint(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) >>> 11);
}

function* sortedValues(values: Float64Array): Generator<number> {
  for (let i = 0; i < values.length; i++) yield values[i]!;
}

function* readRun(path: string): Generator<number> {
  const fd = openSync(path, 'r');
  const block = new Float64Array(READ_BLOCK);
  const bytes = new Uint8Array(block.buffer);
  try {
    for (;;) {
      const read = readSync(fd, bytes, 0, bytes.length, null);
      for (let i = 0; i < read / 8; i++) yield block[i]!;
      if (read < bytes.length) return;
    }
  } finally {
    closeSync(fd);
  }
}

/** Merges sorted sequences into one sorted sequence. */
function* merge(sources: Iterator<number>[]): Generator<number> {
  const heads = sources.map((source) => source.next());
  for (;;) {
    let min = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i]!;
      if (!head.done && (min < 0 || head.value < (heads[min]!.value as number))) min = i;
    }
    if (min < 0) return;
    yield heads[min]!.value as number;
    heads[min] = sources[min]!.next();
  }
}

function countRepeats(sorted: Iterable<number>): number {
  let repeated = 0;
  let previous = Number.NaN;
  let run = 0;
  for (const value of sorted) {
    if (value === previous) {
      if (++run === 2) repeated++;
    } else {
      previous = value;
      run = 1;
    }
  }
  return repeated;
}
