import { type FileHandle, open, rename } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { ledgerError } from './errors.js';
import { openIfExists, syncDir } from './files.js';
import { newBytes, newWords, shrinkBytes, shrinkWords } from './growable.js';
import type { JournalChanges } from './replay.js';
import type { Shard } from './shard.js';
import { KIND_CODE } from './state.js';
import { type FingerprintTable, SHARD_COUNT } from './table.js';

/**
 * The snapshot: the whole table at one generation, written to a temporary file, flushed and
 * renamed over the old one, so a crash leaves the old snapshot or the new one, never a mix.
 * A 36-byte header ('PXLS', version, kind, generation, shard count, entry count, CRC), then per
 * shard [entry count u32][CRC-32 u32][entries: 3 u32 words each][x bytes]. 13 bytes per entry.
 *
 * Version 1: records, and events whose `b` is a bare state (1 or 2, no day stamp). Version 2:
 * events with day stamps (`state | day << 2`); an older reader, which knows version 1 only,
 * refuses it rather than misread the stamps as states. Records are still written as version 1.
 */
const SNAPSHOT_MAGIC = 0x534c5850; // 'PXLS' little-endian
const LEGACY_VERSION = 1;
const SNAPSHOT_VERSION: Record<number, number> = { [KIND_CODE.records]: 1, [KIND_CODE.events]: 2 };
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
      const { words, xs } = shard.view();
      const wordBytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
      const shardHeader = Buffer.alloc(SHARD_HEADER_BYTES);
      shardHeader.writeUInt32LE(xs.length, 0);
      shardHeader.writeUInt32LE(crc32(xs, crc32(wordBytes)), 4);
      bytes += await writeAll(handle, shardHeader, bytes);
      bytes += await writeAll(handle, wordBytes, bytes);
      bytes += await writeAll(handle, xs, bytes);
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
 * is read. Reads version 1 of either kind and the current version of its kind.
 */
export class SnapshotReader {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
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
        (version !== LEGACY_VERSION && version !== snapshotVersion(kind)) ||
        word(2) !== kind ||
        word(4) !== SHARD_COUNT
      ) {
        throw ledgerError('LEDGER_NOT_A_LEDGER', `ledger snapshot ${path}: unknown format, version or kind`);
      }
      return new SnapshotReader(handle, path, word(3), version, size, word(5) + word(6) * 2 ** 32);
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
   * With `drop`, the entries whose `b` it accepts are left out as they are read (expired
   * events): they never take memory, which at a large ledger's open is the peak. Those the
   * journal changes are left out too (their last op decides what the table holds, as in a
   * replay in order) but not counted in `dropped`: they are not the snapshot's to expire.
   */
  async load(
    table: FingerprintTable,
    drop?: (b: number) => boolean,
    changes?: JournalChanges,
  ): Promise<SnapshotInfo> {
    const { handle } = this;
    const corrupt = (what: string) => ledgerError('LEDGER_CORRUPT', `ledger snapshot ${this.path}: ${what}`);
    let position = HEADER_BYTES;
    let total = 0;
    let dropped = 0;
    const scratch = drop && newScratch(); // this read's own: two opens may read at once
    for (const [k, shard] of table.shards.entries()) {
      const shardHeader = Buffer.alloc(SHARD_HEADER_BYTES);
      if ((await readInto(handle, shardHeader, position)) < SHARD_HEADER_BYTES) throw corrupt('cut short');
      const count = shardHeader.readUInt32LE(0);
      if (position + SHARD_HEADER_BYTES + count * 13 > this.bytes) throw corrupt('cut short');
      position += SHARD_HEADER_BYTES;
      const shardChanges = changes && { changes, shard: k };
      const read = scratch
        ? await readShardDropping(handle, position, count, drop!, scratch, corrupt, shardChanges)
        : await readShard(handle, position, count, corrupt);
      position += count * 13;
      if (read.crc !== shardHeader.readUInt32LE(4)) throw corrupt('checksum mismatch');
      if (!shard.load(read.words, read.xs)) throw corrupt('entries out of order');
      total += count;
      dropped += read.dropped;
      if (changes) mergeChanges(shard, changes, k);
    }
    if (position !== this.bytes || total !== this.entries) throw corrupt('size mismatch');
    table.size = table.shards.reduce((sum, shard) => sum + shard.baseCount, 0);
    return { generation: this.generation, bytes: this.bytes, version: this.version, dropped };
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

interface ShardRead {
  words: Uint32Array;
  xs: Uint8Array;
  /** CRC-32 of the shard's bytes as stored (all entries, dropped ones too). */
  crc: number;
  /** Entries left out, less those the journal changes. */
  dropped: number;
}

type Corrupt = (what: string) => Error;

/** A shard's `count` entries at `position`, read straight into the arrays the table keeps. */
async function readShard(handle: FileHandle, position: number, count: number, corrupt: Corrupt) {
  const words = newWords(count * 3);
  const xs = newBytes(count);
  const wordBytes = new Uint8Array(words.buffer, 0, count * 12);
  const read =
    (await readInto(handle, wordBytes, position)) + (await readInto(handle, xs, position + count * 12));
  if (read < count * 13) throw corrupt('cut short');
  return { words, xs, crc: crc32(xs, crc32(wordBytes)), dropped: 0 } satisfies ShardRead;
}

/** Entries per read of readShardDropping (its scratch buffers: 12 + 1 bytes each). */
const CHUNK_ENTRIES = 1 << 16;

interface Scratch {
  words: Uint32Array;
  bytes: Uint8Array;
  /** Per entry of the shard being read: 1 if kept. */
  keep: Uint8Array;
}

const newScratch = (): Scratch => ({
  words: new Uint32Array(CHUNK_ENTRIES * 3),
  bytes: new Uint8Array(CHUNK_ENTRIES),
  keep: new Uint8Array(0),
});

/**
 * readShard without the entries `drop` accepts: read through a small scratch buffer, the kept
 * ones copied into the table's arrays, so the memory of a dropped entry is never touched (the
 * arrays are reserved for all `count`, then shrunk). The x bytes come after all the words:
 * `keep` remembers which entries stay. A dropped entry that `journal` may change (same t and
 * a) waits for its x to know whether it counts as dropped.
 */
async function readShardDropping(
  handle: FileHandle,
  position: number,
  count: number,
  drop: (b: number) => boolean,
  buffers: Scratch,
  corrupt: Corrupt,
  journal?: { changes: JournalChanges; shard: number },
): Promise<ShardRead> {
  const words = newWords(count * 3);
  const xs = newBytes(count);
  if (buffers.keep.length < count) buffers.keep = new Uint8Array(count + (count >>> 3));
  const { keep } = buffers;
  const chunkBytes = new Uint8Array(buffers.words.buffer);
  let crc = 0;
  let kept = 0;
  let dropped = 0;
  const changed: number[] = []; // [entry, t, a] of the dropped entries the journal may change
  for (let from = 0; from < count; from += CHUNK_ENTRIES) {
    const n = Math.min(CHUNK_ENTRIES, count - from);
    const bytes = chunkBytes.subarray(0, n * 12);
    if ((await readInto(handle, bytes, position + from * 12)) < bytes.length) throw corrupt('cut short');
    crc = crc32(bytes, crc);
    const chunk = buffers.words;
    for (let j = 0; j < n; j++) {
      const b = chunk[j * 3 + 2]!;
      const stays = drop(b) ? 0 : 1;
      keep[from + j] = stays;
      if (stays === 0) {
        const t = chunk[j * 3]!;
        const a = chunk[j * 3 + 1]!;
        if (journal?.changes.mayTouch(journal.shard, t, a)) changed.push(from + j, t, a);
        else dropped++;
        continue;
      }
      words[kept * 3] = chunk[j * 3]!;
      words[kept * 3 + 1] = chunk[j * 3 + 1]!;
      words[kept * 3 + 2] = b;
      kept++;
    }
  }
  let out = 0;
  let next = 0; // in `changed`
  for (let from = 0; from < count; from += CHUNK_ENTRIES) {
    const bytes = buffers.bytes.subarray(0, Math.min(CHUNK_ENTRIES, count - from));
    if ((await readInto(handle, bytes, position + count * 12 + from)) < bytes.length)
      throw corrupt('cut short');
    crc = crc32(bytes, crc);
    for (let j = 0; j < bytes.length; j++) {
      if (keep[from + j] === 1) xs[out++] = bytes[j]!;
      else if (changed[next] === from + j) {
        if (!journal!.changes.touches(journal!.shard, changed[next + 1]!, bytes[j]!, changed[next + 2]!))
          dropped++;
        next += 3;
      }
    }
  }
  return { words: shrinkWords(words, kept * 3), xs: shrinkBytes(xs, kept), crc, dropped };
}

async function readInto(handle: FileHandle, target: Uint8Array, position: number): Promise<number> {
  let read = 0;
  while (read < target.length) {
    const { bytesRead } = await handle.read(target, read, target.length - read, position + read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return read;
}
