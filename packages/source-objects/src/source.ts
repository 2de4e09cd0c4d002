import { Transform, type TransformCallback } from 'node:stream';
import {
  type CountedStage,
  emitRejection,
  type JsonObject,
  newStageCounts,
  type Rejection,
  type RowEnvelope,
  type StageCounts,
} from '@pxstream/core';

export interface ObjectSourceOptions {
  /**
   * Index of the first object written (a resumed load that skips the objects an earlier run
   * finished feeds the rest from there). Default 0.
   */
  firstIndex?: number;
  /** Objects buffered on the readable side. Default 64. */
  highWaterMark?: number;
}

/**
 * Plain objects in (object mode), row envelopes out: `fields` is the object itself, so the
 * mapping's values name its keys (or dot paths into it). Values may be strings or typed
 * (numbers, booleans, `Date`); `null` and `undefined` count as empty cells. `line` is the
 * object's 1-based position, which is what rejects files and messages show for it.
 *
 * Anything that is not a plain object (`null`, a string, an array) is a `parse` rejection
 * (`OBJECT_NOT_AN_OBJECT`, announced as a `rejection` event) and the stream goes on.
 */
export class ObjectSource extends Transform implements CountedStage {
  readonly counts: StageCounts = newStageCounts();
  private next: number;

  constructor(options: ObjectSourceOptions = {}) {
    super({ objectMode: true, highWaterMark: options.highWaterMark ?? 64 });
    this.next = options.firstIndex ?? 0;
  }

  override _transform(value: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    const index = this.next++;
    this.counts.in++;
    if (!isPlainObject(value)) {
      this.counts.rejected++;
      const rejection: Rejection = {
        row: { index, line: index + 1, fields: {} },
        stage: 'parse',
        code: 'OBJECT_NOT_AN_OBJECT',
        message: `item ${index + 1} is ${describe(value)}, not an object`,
        raw: safeText(value),
      };
      emitRejection(this, rejection);
      callback();
      return;
    }
    this.counts.out++;
    const row: RowEnvelope = { index, line: index + 1, fields: value };
    callback(null, row);
  }
}

/** A source of rows from plain objects: pipe `Readable.from(objects)` into it. */
export function createObjectSource(options: ObjectSourceOptions = {}): ObjectSource {
  return new ObjectSource(options);
}

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return (
    proto === Object.prototype || proto === null || !(value instanceof Date || ArrayBuffer.isView(value))
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  return `a ${typeof value}`;
}

function safeText(value: unknown): string {
  try {
    return String(JSON.stringify(value) ?? String(value)).slice(0, 200);
  } catch {
    return String(value).slice(0, 200);
  }
}
