import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { ledgerError } from './errors.js';
import { openIfExists } from './files.js';
import { FRAME_BYTES, JOURNAL_HEADER_BYTES, JOURNAL_MAGIC, JOURNAL_VERSION, OP_BYTES } from './journal.js';

/** The generation in a journal's header, or undefined when there is no journal. */
export async function readJournalGeneration(path: string): Promise<number | undefined> {
  const handle = await openIfExists(path);
  if (handle === undefined) return undefined;
  try {
    const reader = new ChunkReader(handle, (await handle.stat()).size);
    return checkedHeader(await reader.bytes(0, JOURNAL_HEADER_BYTES), path).readUInt32LE(8);
  } finally {
    await handle.close();
  }
}

/** The journal's header (magic and CRC checked), or LEDGER_CORRUPT. */
function checkedHeader(header: Buffer | undefined, path: string): Buffer {
  if (
    header === undefined ||
    header.readUInt32LE(0) !== JOURNAL_MAGIC ||
    header.readUInt32LE(12) !== crc32(header.subarray(0, 12))
  ) {
    throw ledgerError('LEDGER_CORRUPT', `ledger journal ${path}: bad header`);
  }
  return header;
}

export interface JournalContents {
  generation: number;
  /** Length of the header and the whole frames: where appending resumes. */
  validBytes: number;
  fileBytes: number;
}

/** Takes a frame's payload: a run of ops of OP_BYTES each (see journal.ts), valid during the call. */
export type ApplyFrame = (payload: Buffer) => void;

/**
 * Reads a journal and calls `applyFrame` with the payload of each whole frame, in order (its
 * ops are decoded where they are applied, in one loop: see JournalChanges.addFrame). A bad
 * frame that is the last thing in the file (it reaches the end, or only zeros follow it) is a
 * torn append and is dropped with everything after it; a bad frame followed by data is
 * corruption. Undefined when there is no journal.
 */
export async function readJournal(
  path: string,
  applyFrame: ApplyFrame,
): Promise<JournalContents | undefined> {
  const handle = await openIfExists(path);
  if (handle === undefined) return undefined;
  try {
    const reader = new ChunkReader(handle, (await handle.stat()).size);
    const header = checkedHeader(await reader.bytes(0, JOURNAL_HEADER_BYTES), path);
    if (header.readUInt32LE(4) !== JOURNAL_VERSION) {
      throw ledgerError(
        'LEDGER_NOT_A_LEDGER',
        `ledger journal ${path}: unknown version ${header.readUInt32LE(4)}`,
      );
    }
    const generation = header.readUInt32LE(8);
    let position = JOURNAL_HEADER_BYTES;
    while (position < reader.size) {
      const payload = await readFrame(reader, position);
      if (payload === undefined) {
        if (await isTornEnd(reader, position)) break;
        throw ledgerError(
          'LEDGER_CORRUPT',
          `ledger journal ${path}: bad frame at byte ${position}, data after it`,
        );
      }
      applyFrame(payload);
      position += FRAME_BYTES + payload.length;
    }
    return { generation, validBytes: position, fileBytes: reader.size };
  } finally {
    await handle.close();
  }
}

/** The payload of the frame at `position`, or undefined if it is cut short or fails its CRC. */
async function readFrame(reader: ChunkReader, position: number): Promise<Buffer | undefined> {
  const length = await frameLength(reader, position);
  if (length === undefined || length === 0 || length % OP_BYTES !== 0) return undefined;
  const frame = await reader.bytes(position, FRAME_BYTES + length);
  if (frame === undefined) return undefined;
  const payload = frame.subarray(FRAME_BYTES);
  return crc32(payload) === frame.readUInt32LE(4) ? payload : undefined;
}

async function frameLength(reader: ChunkReader, position: number): Promise<number | undefined> {
  return (await reader.bytes(position, FRAME_BYTES))?.readUInt32LE(0);
}

/** A bad frame is a torn append when it reaches the end of the file or only zeros follow it. */
async function isTornEnd(reader: ChunkReader, position: number): Promise<boolean> {
  const length = await frameLength(reader, position);
  if (length === undefined || position + FRAME_BYTES + length >= reader.size) return true;
  const usable = length > 0 && length % OP_BYTES === 0;
  for (let at = usable ? position + FRAME_BYTES + length : position + FRAME_BYTES; at < reader.size; ) {
    const chunk = await reader.bytes(at, Math.min(CHUNK_BYTES, reader.size - at));
    if (chunk === undefined || chunk.some((byte) => byte !== 0)) return false;
    at += chunk.length;
  }
  return true;
}

const CHUNK_BYTES = 1 << 20;

/**
 * Reads a file through a 1 MB window, so that many small frames cost few reads. The window's
 * buffer is reused (grown only for a longer read): what `bytes` returns is valid until its next
 * call, and reading a large journal leaves no trail of dead 1 MB buffers behind it.
 */
class ChunkReader {
  private buffer = Buffer.alloc(0);
  private window = Buffer.alloc(0);
  private start = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** Bytes [position, position + length), or undefined past the end of the file. */
  async bytes(position: number, length: number): Promise<Buffer | undefined> {
    if (position + length > this.size) return undefined;
    const end = this.start + this.window.length;
    if (position < this.start || position + length > end) {
      const want = Math.min(Math.max(length, CHUNK_BYTES), this.size - position);
      if (this.buffer.length < want) this.buffer = Buffer.allocUnsafe(Math.max(want, CHUNK_BYTES));
      const buffer = this.buffer;
      this.window = buffer.subarray(0, 0); // invalid while the read is under way
      let read = 0;
      while (read < want) {
        const { bytesRead } = await this.handle.read(buffer, read, want - read, position + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      if (read < length) return undefined;
      this.window = buffer.subarray(0, read);
      this.start = position;
    }
    return this.window.subarray(position - this.start, position - this.start + length);
  }
}
