/**
 * Typed arrays that grow in place. A shard's entries live in a resizable ArrayBuffer: address
 * space is reserved up front and pages are committed only as the array grows, so growing copies
 * nothing and leaves no garbage behind (a merge that reallocated would leave the old array
 * until the next full GC: ~100 MB of dead arrays at 10M ids, all counted in the RSS). Where
 * the reservation is refused (a small `ulimit -v`), arrays are reallocated and copied instead.
 *
 * Shrinking zeroes the bytes it gives up (V8 does, so that a regrown buffer reads zeros): it
 * touches them, so a shrink of a large span never touched costs its size in peak RSS at once.
 */

/**
 * Elements reserved per array: 2^26 (256 MB of words, 128 MB of 16-bit values, 64 MB of
 * bytes). A records shard (3 words an entry) reaches 22M entries before a fallback copy, an
 * events shard (2 words) 33M: 256 shards hold billions of entries.
 */
const MAX_ELEMENTS = 2 ** 26;

export type Column = Uint8Array | Uint16Array | Uint32Array;
type ColumnType<T extends Column> = { new (buffer: ArrayBuffer): T; readonly BYTES_PER_ELEMENT: number };

/** ES2024 resizable ArrayBuffer (Node 20 has it; the ES2023 typings do not). */
interface Resizable {
  readonly resizable: boolean;
  readonly maxByteLength: number;
  resize(bytes: number): void;
}
const ResizableBuffer = ArrayBuffer as unknown as new (
  bytes: number,
  options: { maxByteLength: number },
) => ArrayBuffer;

let reservable = true;

function buffer(bytes: number, maxBytes: number): ArrayBuffer {
  if (reservable && bytes <= maxBytes) {
    try {
      return new ResizableBuffer(bytes, { maxByteLength: maxBytes });
    } catch {
      reservable = false; // the OS refused the reservation: copy from now on
    }
  }
  return new ArrayBuffer(bytes);
}

/** A view of a whole resizable buffer: it tracks the buffer's length as it is resized. */
function make<T extends Column>(type: ColumnType<T>, length: number): T {
  return new type(buffer(length * type.BYTES_PER_ELEMENT, MAX_ELEMENTS * type.BYTES_PER_ELEMENT));
}

export const newWords = (length: number): Uint32Array => make(Uint32Array, length);
export const newHalves = (length: number): Uint16Array => make(Uint16Array, length);
export const newBytes = (length: number): Uint8Array => make(Uint8Array, length);

/** The array with at least `length` elements and its content: itself if it could grow in place. */
export function grow<T extends Column>(array: T, length: number): T {
  if (array.length >= length) return array;
  const size = array.BYTES_PER_ELEMENT;
  const storage = array.buffer as unknown as Resizable;
  if (storage.resizable && length * size <= storage.maxByteLength) {
    storage.resize(length * size);
    return array;
  }
  const bigger = make(array.constructor as ColumnType<T>, length);
  bigger.set(array);
  return bigger;
}

/**
 * The first `length` elements (length <= array.length) as an array of that length: the buffer
 * itself shrunk when it is resizable (so it still grows in place later), else a view.
 */
export function shrink<T extends Column>(array: T, length: number): T {
  const storage = array.buffer as unknown as Resizable;
  if (storage.resizable && array.byteOffset === 0) {
    storage.resize(length * array.BYTES_PER_ELEMENT);
    return array;
  }
  return array.subarray(0, length) as T;
}
