import type { PxConfig, RecordType } from '@pxstream/config';
import type { Rejection } from '@pxstream/core';
import type { AttributeMetadataList } from '../run/stages.js';

/** What each thread of a parallel dry run is started with (see `parallel-dry-run.ts`). */
export interface DryRunThreadData {
  type: RecordType;
  /** Without the API key: redaction has `secrets`. */
  config: PxConfig;
  metadata: AttributeMetadataList | undefined;
  /** Redacted from the output, as the main thread's dry-run sink does. */
  secrets: readonly (string | undefined)[];
  columns: readonly string[];
  delimiter: string;
  maxRecordSize: number;
  /** Fingerprints of the ids are returned (every type but CUSTOM_EVENT). */
  countRepeats: boolean;
}

/** A block of whole CSV records to read (see `CsvBlockCutter`). */
export interface BlockJob {
  seq: number;
  /** The records' bytes (its buffer is transferred, and comes back with the result). */
  bytes: Uint8Array;
  line: number;
  byteOffset: number;
}

/** What a thread made of a block. Row indexes in `rejections` count from the block's first row. */
export interface BlockResult {
  seq: number;
  /** The block's bytes, handed back for the next block (its buffer is transferred). */
  input: Uint8Array;
  /** The bodies as JSON lines, UTF-8, redacted (its buffer is transferred). */
  out: Uint8Array;
  /** Rows the block held, rejected or not. */
  rows: number;
  /** Bodies in `out`. */
  bodies: number;
  rejections: Rejection[];
  /** `fingerprint` of each body's id, in row order (its buffer is transferred). */
  fingerprints: Float64Array | undefined;
}

/** An output buffer handed back to the thread that filled it, once written (transferred). */
export interface RecycledOutput {
  recycled: ArrayBuffer;
}
