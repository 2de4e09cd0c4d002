import { type FileHandle, open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/**
 * The journal: every change since the snapshot, appended in batches (one batch per group
 * commit). A 16-byte header ('PXLJ', version, generation, CRC) then frames of
 * [payload length u32][CRC-32 of payload u32][payload]; a payload is a run of 17-byte ops
 * [op u8][w0 u32][w1 u32][w2 u32][w3 u32], little-endian. A frame is applied whole or not at
 * all: a crash while appending leaves a torn last frame, which reading drops.
 */
export const JOURNAL_MAGIC = 0x4a4c5850; // 'PXLJ' little-endian
export const JOURNAL_VERSION = 1;
export const JOURNAL_HEADER_BYTES = 16;
export const OP_BYTES = 17;
export const FRAME_BYTES = 8;

export type Durability = 'fsync' | 'os';

export function journalHeader(generation: number): Buffer {
  const header = Buffer.alloc(JOURNAL_HEADER_BYTES);
  header.writeUInt32LE(JOURNAL_MAGIC, 0);
  header.writeUInt32LE(JOURNAL_VERSION, 4);
  header.writeUInt32LE(generation, 8);
  header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
  return header;
}

/**
 * The ops of the next commit, encoded in place after room for their frame header. Two buffers
 * take turns (one being written, one filling), so a commit allocates nothing: the committer
 * never has more than one frame in flight.
 */
export class OpBuffer {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private spare = Buffer.allocUnsafe(64 * 1024);
  private length = FRAME_BYTES;

  get count(): number {
    return (this.length - FRAME_BYTES) / OP_BYTES;
  }

  append(op: number, w0: number, w1: number, w2: number, w3: number): void {
    if (this.length + OP_BYTES > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    const b = this.buffer;
    const at = this.length;
    b[at] = op;
    b.writeUInt32LE(w0, at + 1);
    b.writeUInt32LE(w1, at + 5);
    b.writeUInt32LE(w2, at + 9);
    b.writeUInt32LE(w3, at + 13);
    this.length = at + OP_BYTES;
  }

  /** The framed ops, valid until the next call; the buffer starts empty again. */
  takeFrame(): Buffer {
    const frame = this.buffer.subarray(0, this.length);
    frame.writeUInt32LE(this.length - FRAME_BYTES, 0);
    frame.writeUInt32LE(crc32(frame.subarray(FRAME_BYTES)), 4);
    [this.buffer, this.spare] = [this.spare, this.buffer];
    this.length = FRAME_BYTES;
    return frame;
  }
}

/** Appends frames at the end of a journal whose valid length is known. */
export class JournalWriter {
  private constructor(
    private readonly handle: FileHandle,
    private position: number,
    private readonly durability: Durability,
  ) {}

  static async open(path: string, validBytes: number, durability: Durability): Promise<JournalWriter> {
    const handle = await open(path, 'r+');
    try {
      await handle.truncate(validBytes); // drops a torn frame left by a crash
      if (durability === 'fsync') await handle.datasync();
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new JournalWriter(handle, validBytes, durability);
  }

  /** Bytes of frames after the header. */
  get frameBytes(): number {
    return this.position - JOURNAL_HEADER_BYTES;
  }

  /** Writes one frame; resolves once it is handed to the OS (`os`) or on disk (`fsync`). */
  async append(frame: Buffer): Promise<void> {
    let written = 0;
    while (written < frame.length) {
      const { bytesWritten } = await this.handle.write(
        frame,
        written,
        frame.length - written,
        this.position + written,
      );
      written += bytesWritten;
    }
    this.position += frame.length;
    if (this.durability === 'fsync') await this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
