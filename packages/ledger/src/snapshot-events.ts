import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { readInto } from './files.js';
import { newHalves, newWords, shrink } from './growable.js';
import type { JournalChanges } from './replay.js';

/**
 * Reading one shard of an events snapshot into the table's own arrays (event-base.ts: words
 * [t, a] and a 16-bit value, 10 bytes an entry), from any format:
 * - 3: the same layout on disk (all the words, then all the values): read straight in;
 * - 1 and 2: 13 bytes an entry (words [t, a, b], then a byte x each): read through a small
 *   scratch buffer, each `b` converted (`fromFormat2`: a format-1 entry takes the open's day),
 *   x left out, as this format does not key events by it.
 * Then the expired entries are left out in place, and the arrays shrunk: the memory a shard's
 * dropped entries took is given back before the next shard is read, so at most one shard's
 * worth (1/256 of the table) is ever held for nothing.
 */

/** The entry layout of an events snapshot of format 3 (and what a shard's size is checked against). */
export const EVENTS_FORMAT = 3;
export const EVENT_ENTRY_BYTES = 10;
/** Formats 1 and 2 (records keep this layout): 3 words and a byte x. */
export const WIDE_ENTRY_BYTES = 13;

/** How this open judges and converts event entries (LedgerState provides them). */
export interface EventExpiry {
  /** True when the entry's value is past the retention window. */
  isExpired(b: number): boolean;
  /** A format-1 or format-2 value (32 bits) as format 3 keeps it. */
  fromFormat2(b: number): number;
}

export interface EventShardRead {
  words: Uint32Array;
  column: Uint16Array;
  /** CRC-32 of the shard's bytes as stored (all entries, dropped ones too). */
  crc: number;
  /** Expired entries left out, less those the journal changes (not the snapshot's to expire). */
  dropped: number;
}

/** Entries per read of a format-1/2 shard (a scratch of 12 bytes each). */
const CHUNK_ENTRIES = 1 << 16;

/** A read's scratch buffer, allocated at its first format-1/2 shard and kept for the others. */
export interface Scratch {
  words?: Uint32Array;
}

export const newScratch = (): Scratch => ({});

type Corrupt = (what: string) => Error;

export async function readEventShard(
  handle: FileHandle,
  position: number,
  count: number,
  format: number,
  expiry: EventExpiry,
  scratch: Scratch,
  corrupt: Corrupt,
  journal?: { changes: JournalChanges; shard: number },
): Promise<EventShardRead> {
  const words = newWords(count * 2);
  const values = newHalves(count);
  const crc =
    format === EVENTS_FORMAT
      ? await readFormat3(handle, position, words, values, corrupt)
      : await readFormat2(handle, position, words, values, expiry, scratch, corrupt);
  const { kept, dropped } = keepLive(words, values, count, expiry, journal);
  return { words: shrink(words, kept * 2), column: shrink(values, kept), crc, dropped };
}

async function readFormat3(
  handle: FileHandle,
  position: number,
  words: Uint32Array,
  values: Uint16Array,
  corrupt: Corrupt,
): Promise<number> {
  const wordBytes = new Uint8Array(words.buffer, 0, words.length * 4);
  const valueBytes = new Uint8Array(values.buffer, 0, values.length * 2);
  const read =
    (await readInto(handle, wordBytes, position)) +
    (await readInto(handle, valueBytes, position + wordBytes.length));
  if (read < wordBytes.length + valueBytes.length) throw corrupt('cut short');
  return crc32(valueBytes, crc32(wordBytes));
}

async function readFormat2(
  handle: FileHandle,
  position: number,
  words: Uint32Array,
  values: Uint16Array,
  expiry: EventExpiry,
  scratch: Scratch,
  corrupt: Corrupt,
): Promise<number> {
  const count = values.length;
  const chunk = (scratch.words ??= new Uint32Array(CHUNK_ENTRIES * 3));
  const chunkBytes = new Uint8Array(chunk.buffer);
  let crc = 0;
  for (let from = 0; from < count; from += CHUNK_ENTRIES) {
    const n = Math.min(CHUNK_ENTRIES, count - from);
    const bytes = chunkBytes.subarray(0, n * 12);
    if ((await readInto(handle, bytes, position + from * 12)) < bytes.length) throw corrupt('cut short');
    crc = crc32(bytes, crc);
    for (let j = 0; j < n; j++) {
      words[(from + j) * 2] = chunk[j * 3]!;
      words[(from + j) * 2 + 1] = chunk[j * 3 + 1]!;
      values[from + j] = expiry.fromFormat2(chunk[j * 3 + 2]!);
    }
  }
  // The x bytes: only checked.
  for (let from = 0; from < count; from += chunkBytes.length) {
    const bytes = chunkBytes.subarray(0, Math.min(chunkBytes.length, count - from));
    if ((await readInto(handle, bytes, position + count * 12 + from)) < bytes.length)
      throw corrupt('cut short');
    crc = crc32(bytes, crc);
  }
  return crc;
}

/**
 * Moves the entries to keep to the front, in order: not expired, and not a second entry of a
 * key (t, a), which two entries of format 1 or 2 that differed only in x would now be (the
 * first stays: one in 10^7 for 30M entries). An expired entry the journal changes is left out
 * too, its last op deciding what the table holds, but not counted.
 */
function keepLive(
  words: Uint32Array,
  values: Uint16Array,
  count: number,
  expiry: EventExpiry,
  journal: { changes: JournalChanges; shard: number } | undefined,
): { kept: number; dropped: number } {
  let kept = 0;
  let dropped = 0;
  for (let e = 0; e < count; e++) {
    const t = words[e * 2]!;
    const a = words[e * 2 + 1]!;
    const b = values[e]!;
    if (expiry.isExpired(b)) {
      if (!journal?.changes.touches(journal.shard, t, 0, a)) dropped++;
      continue;
    }
    if (kept > 0 && words[(kept - 1) * 2] === t && heldBefore(words, kept, t, a)) continue;
    if (kept !== e) {
      words[kept * 2] = t;
      words[kept * 2 + 1] = a;
      values[kept] = b;
    }
    kept++;
  }
  return { kept, dropped };
}

/** True when one of the entries before `end` of fingerprint t (the run just before it) has `a`. */
function heldBefore(words: Uint32Array, end: number, t: number, a: number): boolean {
  for (let e = end - 1; e >= 0 && words[e * 2] === t; e--) if (words[e * 2 + 1] === a) return true;
  return false;
}
