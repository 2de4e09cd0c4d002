/**
 * Typed arrays that grow in place. A shard's entries live in a resizable ArrayBuffer: address
 * space is reserved up front and pages are committed only as the array grows, so growing copies
 * nothing and leaves no garbage behind (a merge that reallocated would leave the old array
 * until the next full GC: ~100 MB of dead arrays at 10M ids, all counted in the RSS). Where
 * the reservation is refused (a small `ulimit -v`), arrays are reallocated and copied instead.
 */

/** Reserved per shard: 256 shards x 22M entries = 5.7 billion entries before a fallback copy. */
const MAX_WORD_BYTES = 2 ** 28;
const MAX_BYTE_BYTES = 2 ** 26;

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

export function newWords(length: number): Uint32Array {
  return new Uint32Array(buffer(length * 4, MAX_WORD_BYTES));
}

export function newBytes(length: number): Uint8Array {
  return new Uint8Array(buffer(length, MAX_BYTE_BYTES));
}

/** The array with at least `length` elements and its content: itself if it could grow in place. */
export function growWords(array: Uint32Array, length: number): Uint32Array {
  if (array.length >= length) return array;
  const storage = array.buffer as unknown as Resizable;
  if (storage.resizable && length * 4 <= storage.maxByteLength) {
    storage.resize(length * 4);
    return array; // a view of a whole resizable buffer tracks its length
  }
  const bigger = newWords(length);
  bigger.set(array);
  return bigger;
}

export function growBytes(array: Uint8Array, length: number): Uint8Array {
  if (array.length >= length) return array;
  const storage = array.buffer as unknown as Resizable;
  if (storage.resizable && length <= storage.maxByteLength) {
    storage.resize(length);
    return array;
  }
  const bigger = newBytes(length);
  bigger.set(array);
  return bigger;
}

/**
 * The first `length` elements (length <= array.length) as an array of that length: the buffer
 * itself shrunk when it is resizable (so it still grows in place later), else a view.
 */
export function shrinkWords(array: Uint32Array, length: number): Uint32Array {
  const storage = array.buffer as unknown as Resizable;
  if (storage.resizable && array.byteOffset === 0) {
    storage.resize(length * 4);
    return array;
  }
  return array.subarray(0, length);
}

export function shrinkBytes(array: Uint8Array, length: number): Uint8Array {
  const storage = array.buffer as unknown as Resizable;
  if (storage.resizable && array.byteOffset === 0) {
    storage.resize(length);
    return array;
  }
  return array.subarray(0, length);
}
