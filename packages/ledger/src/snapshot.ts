import { type FileHandle, open, rename } from 'node:fs/promises';
import { endianness } from 'node:os';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { ledgerError } from './errors.js';
import { openIfExists, syncDir } from './files.js';
import { newBytes, newWords } from './growable.js';
import { type FingerprintTable, SHARD_COUNT } from './table.js';

/**
 * The snapshot: the whole table at one generation, written to a temporary file, flushed and
 * renamed over the old one, so a crash leaves the old snapshot or the new one, never a mix.
 * A 36-byte header ('PXLS', version, kind, generation, shard count, entry count, CRC), then per
 * shard [entry count u32][CRC-32 u32][entries: 3 u32 words each][x bytes]. 13 bytes per entry.
 */
const SNAPSHOT_MAGIC = 0x534c5850; // 'PXLS' little-endian
const SNAPSHOT_VERSION = 1;
const HEADER_BYTES = 36;
const SHARD_HEADER_BYTES = 8;

export interface SnapshotInfo {
  generation: number;
  bytes: number;
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
    const fields = [SNAPSHOT_MAGIC, SNAPSHOT_VERSION, kind, generation, SHARD_COUNT];
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
  return { generation, bytes } satisfies SnapshotInfo;
}

async function writeAll(handle: FileHandle, data: Uint8Array, position: number): Promise<number> {
  let written = 0;
  while (written < data.length) {
    const result = await handle.write(data, written, data.length - written, position + written);
    written += result.bytesWritten;
  }
  return written;
}

/** Loads a snapshot into `table`; undefined (table untouched) when there is none. */
export async function readSnapshot(
  path: string,
  table: FingerprintTable,
  kind: number,
): Promise<SnapshotInfo | undefined> {
  requireLittleEndian();
  const handle = await openIfExists(path);
  if (handle === undefined) return undefined;
  const corrupt = (what: string) => ledgerError('LEDGER_CORRUPT', `ledger snapshot ${path}: ${what}`);
  try {
    const size = (await handle.stat()).size;
    const header = Buffer.alloc(HEADER_BYTES);
    if (
      (await readInto(handle, header, 0)) < HEADER_BYTES ||
      header.readUInt32LE(32) !== crc32(header.subarray(0, 32))
    ) {
      throw corrupt('bad header');
    }
    const word = (k: number) => header.readUInt32LE(4 * k);
    if (
      word(0) !== SNAPSHOT_MAGIC ||
      word(1) !== SNAPSHOT_VERSION ||
      word(2) !== kind ||
      word(4) !== SHARD_COUNT
    ) {
      throw ledgerError('LEDGER_NOT_A_LEDGER', `ledger snapshot ${path}: unknown format, version or kind`);
    }
    let position = HEADER_BYTES;
    let total = 0;
    for (const shard of table.shards) {
      const shardHeader = Buffer.alloc(SHARD_HEADER_BYTES);
      if ((await readInto(handle, shardHeader, position)) < SHARD_HEADER_BYTES) throw corrupt('cut short');
      const count = shardHeader.readUInt32LE(0);
      if (position + SHARD_HEADER_BYTES + count * 13 > size) throw corrupt('cut short');
      const words = newWords(count * 3);
      const xs = newBytes(count);
      const wordBytes = new Uint8Array(words.buffer, 0, count * 12);
      position += SHARD_HEADER_BYTES;
      position += await readInto(handle, wordBytes, position);
      position += await readInto(handle, xs, position);
      if (crc32(xs, crc32(wordBytes)) !== shardHeader.readUInt32LE(4)) throw corrupt('checksum mismatch');
      if (!shard.load(words, xs)) throw corrupt('entries out of order');
      total += count;
    }
    if (position !== size || total !== word(5) + word(6) * 2 ** 32) throw corrupt('size mismatch');
    table.size = total;
    return { generation: word(3), bytes: size };
  } finally {
    await handle.close();
  }
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
