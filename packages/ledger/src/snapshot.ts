import { type FileHandle, open, rename } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { ledgerError } from './errors.js';
import { openIfExists, readInto, syncDir } from './files.js';
import { newBytes, newWords } from './growable.js';
import type { JournalChanges } from './replay.js';
import type { Shard } from './shard.js';
import {
  EVENT_ENTRY_BYTES,
  EVENTS_FORMAT,
  type EventExpiry,
  newScratch,
  readEventShard,
  WIDE_ENTRY_BYTES,
} from './snapshot-events.js';
import { KIND_CODE } from './state.js';
import { type FingerprintTable, SHARD_COUNT } from './table.js';

/**
 * The snapshot: the whole table at one generation, written to a temporary file, flushed and
 * renamed over the old one, so a crash leaves the old snapshot or the new one, never a mix.
 * A 36-byte header ('PXLS', version, kind, generation, shard count, entry count, CRC), then per
 * shard [entry count u32][CRC-32 u32][entries' words][entries' column], in the table's own
 * layout (Shard.view), so that a shard is read straight into the arrays the table keeps.
 *
 * Records: version 1, 3 u32 words [t, a, b] and a byte x an entry (13 bytes).
 * Events: version 3, 2 u32 words [t, a] and a u16 value `state | (day % 2^14) << 2` an entry
 * (10 bytes, see event-base.ts). Versions 1 (`b` a bare state, no day stamp) and 2 (`b` =
 * `state | day << 2`) had the records' 13-byte layout; they are still read (snapshot-events.ts)
 * and rewritten as version 3 by the first writable open's close. An older reader refuses a
 * version it does not know rather than misread it.
 */
const SNAPSHOT_MAGIC = 0x534c5850; // 'PXLS' little-endian
const LEGACY_VERSION = 1;
const SNAPSHOT_VERSION: Record<number, number> = {
  [KIND_CODE.records]: 1,
  [KIND_CODE.events]: EVENTS_FORMAT,
};
/** The versions read, by kind. */
const READABLE: Record<number, readonly number[]> = {
  [KIND_CODE.records]: [1],
  [KIND_CODE.events]: [1, 2, EVENTS_FORMAT],
};
const HEADER_BYTES = 36;
const SHARD_HEADER_BYTES = 8;

export interface SnapshotInfo {
  generation: number;
  bytes: number;
  /** The format version read (or written). */
  version: number;
  /** Expired entries left out of the table as they were read (SnapshotReader.load). */
  dropped: number;
}

/** The version a snapshot of this kind is written in. */
export function snapshotVersion(kind: number): number {
  return SNAPSHOT_VERSION[kind] ?? LEGACY_VERSION;
}

/** Bytes an entry takes in a snapshot of this kind and version. */
const entryBytes = (kind: number, version: number): number =>
  kind === KIND_CODE.events && version === EVENTS_FORMAT ? EVENT_ENTRY_BYTES : WIDE_ENTRY_BYTES;

function requireLittleEndian(): void {
  if (endianness() !== 'LE') {
    throw ledgerError(
      'LEDGER_IO_FAILED',
      'ledger: big-endian machines are not supported (files are little-endian)',
    );
  }
}

export async function writeSnapshot(path: string, table: FingerprintTable, kind: number, generation: number) {
  requireLittleEndian();
  table.mergeAll();
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w');
  let bytes = 0;
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    const version = snapshotVersion(kind);
    const fields = [SNAPSHOT_MAGIC, version, kind, generation, SHARD_COUNT];
    fields.push(table.size % 2 ** 32, Math.floor(table.size / 2 ** 32));
    for (const [k, word] of fields.entries()) header.writeUInt32LE(word, 4 * k);
    header.writeUInt32LE(crc32(header.subarray(0, 32)), 32);
    bytes += await writeAll(handle, header, bytes);
    for (const shard of table.shards) {
      const { words, column } = shard.view();
      const wordBytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
      const columnBytes = new Uint8Array(column.buffer, column.byteOffset, column.byteLength);
      const shardHeader = Buffer.alloc(SHARD_HEADER_BYTES);
      shardHeader.writeUInt32LE(column.length, 0);
      shardHeader.writeUInt32LE(crc32(columnBytes, crc32(wordBytes)), 4);
      bytes += await writeAll(handle, shardHeader, bytes);
      bytes += await writeAll(handle, wordBytes, bytes);
      bytes += await writeAll(handle, columnBytes, bytes);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  await syncDir(dirname(path));
  return { generation, bytes, version: snapshotVersion(kind), dropped: 0 } satisfies SnapshotInfo;
}

async function writeAll(handle: FileHandle, data: Uint8Array, position: number): Promise<number> {
  let written = 0;
  while (written < data.length) {
    const result = await handle.write(data, written, data.length - written, position + written);
    written += result.bytesWritten;
  }
  return written;
}

/**
 * A snapshot opened and its header checked: its generation is known before its entries are
 * read (the open reads the journal of that generation first, see `load`). The file stays open
 * until `close`, so a compaction renaming a new snapshot over it meanwhile changes nothing that
 * is read. Reads every version of its kind (READABLE).
 */
export class SnapshotReader {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly kind: number,
    readonly generation: number,
    readonly version: number,
    /** The file's size. */
    readonly bytes: number,
    /** Entries, by the header. */
    private readonly entries: number,
  ) {}

  /** Undefined when there is no snapshot. */
  static async open(path: string, kind: number): Promise<SnapshotReader | undefined> {
    requireLittleEndian();
    const handle = await openIfExists(path);
    if (handle === undefined) return undefined;
    try {
      const size = (await handle.stat()).size;
      const header = Buffer.alloc(HEADER_BYTES);
      if (
        (await readInto(handle, header, 0)) < HEADER_BYTES ||
        header.readUInt32LE(32) !== crc32(header.subarray(0, 32))
      ) {
        throw ledgerError('LEDGER_CORRUPT', `ledger snapshot ${path}: bad header`);
      }
      const word = (k: number) => header.readUInt32LE(4 * k);
      const version = word(1);
      if (
        word(0) !== SNAPSHOT_MAGIC ||
        !READABLE[kind]?.includes(version) ||
        word(2) !== kind ||
        word(4) !== SHARD_COUNT
      ) {
        throw ledgerError('LEDGER_NOT_A_LEDGER', `ledger snapshot ${path}: unknown format, version or kind`);
      }
      return new SnapshotReader(handle, path, kind, word(3), version, size, word(5) + word(6) * 2 ** 32);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Loads the entries into `table` (empty), each shard's read straight into the arrays the
   * table keeps (no second copy), then, with `changes` (the journal's), merges that shard's
   * changes into it and gives their memory back: the table is never held twice, nor with the
   * whole journal beside it.
   *
   * An events snapshot needs `expiry`: its expired entries are left out shard by shard as they
   * are read (snapshot-events.ts), so that at most a shard's worth of them ever takes memory
   * (at a large ledger's open the load is the peak). Those the journal changes are left out
   * too (their last op decides what the table holds, as in a replay in order) but not counted
   * in `dropped`: they are not the snapshot's to expire.
   */
  async load(table: FingerprintTable, expiry?: EventExpiry, changes?: JournalChanges): Promise<SnapshotInfo> {
    const { handle, kind, version } = this;
    const corrupt = (what: string) => ledgerError('LEDGER_CORRUPT', `ledger snapshot ${this.path}: ${what}`);
    if (kind === KIND_CODE.events && !expiry)
      throw new Error('ledger: an events snapshot is read with its expiry');
    const size = entryBytes(kind, version);
    let position = HEADER_BYTES;
    let total = 0;
    let dropped = 0;
    const scratch = newScratch(); // this read's own: two opens may read at once
    for (const [k, shard] of table.shards.entries()) {
      const shardHeader = Buffer.alloc(SHARD_HEADER_BYTES);
      if ((await readInto(handle, shardHeader, position)) < SHARD_HEADER_BYTES) throw corrupt('cut short');
      const count = shardHeader.readUInt32LE(0);
      if (position + SHARD_HEADER_BYTES + count * size > this.bytes) throw corrupt('cut short');
      position += SHARD_HEADER_BYTES;
      const journal = changes && { changes, shard: k };
      const read =
        kind === KIND_CODE.events
          ? await readEventShard(handle, position, count, version, expiry!, scratch, corrupt, journal)
          : await readShard(handle, position, count, corrupt);
      position += count * size;
      if (read.crc !== shardHeader.readUInt32LE(4)) throw corrupt('checksum mismatch');
      if (!shard.load(read.words, read.column)) throw corrupt('entries out of order');
      total += count;
      dropped += read.dropped;
      if (changes) mergeChanges(shard, changes, k);
    }
    if (position !== this.bytes || total !== this.entries) throw corrupt('size mismatch');
    table.size = table.shards.reduce((sum, shard) => sum + shard.baseCount, 0);
    return { generation: this.generation, bytes: this.bytes, version, dropped };
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Without a snapshot: the journal's changes alone make the table (empty before). */
export function loadChanges(table: FingerprintTable, changes: JournalChanges): void {
  for (const [k, shard] of table.shards.entries()) mergeChanges(shard, changes, k);
  table.size = table.shards.reduce((sum, shard) => sum + shard.baseCount, 0);
}

function mergeChanges(shard: Shard, changes: JournalChanges, k: number): void {
  const { slots, offsets } = changes.shard(k);
  if (offsets.length > 0) shard.apply(slots, offsets);
  changes.release(k);
}

type Corrupt = (what: string) => Error;

/** A records shard's `count` entries at `position` (3 words and a byte each), read straight into the arrays the table keeps. */
async function readShard(handle: FileHandle, position: number, count: number, corrupt: Corrupt) {
  const words = newWords(count * 3);
  const column = newBytes(count);
  const wordBytes = new Uint8Array(words.buffer, 0, count * 12);
  const read =
    (await readInto(handle, wordBytes, position)) + (await readInto(handle, column, position + count * 12));
  if (read < count * 13) throw corrupt('cut short');
  return { words, column, crc: crc32(column, crc32(wordBytes)), dropped: 0 };
}
