import { createHash } from 'node:crypto';

/** How much of the input's head is hashed: enough to tell two exports apart, cheap to read. */
export const HEAD_BYTES = 64 * 1024;

/** What identifies an input: its size (files only) and a hash of its first bytes. */
export interface InputFingerprint {
  /** Size in bytes, or null for stdin (unknown until the end). */
  size: number | null;
  /** SHA-256 (hex) of the first `headBytes` bytes. */
  headSha256: string;
  headBytes: number;
}

export function fingerprintHead(head: Buffer, size: number | null): InputFingerprint {
  const bytes = head.subarray(0, HEAD_BYTES);
  return { size, headSha256: createHash('sha256').update(bytes).digest('hex'), headBytes: bytes.length };
}

/** Why two fingerprints differ, or undefined when they match. */
export function fingerprintMismatch(saved: InputFingerprint, current: InputFingerprint): string | undefined {
  if (saved.size !== null && current.size !== null && saved.size !== current.size) {
    return `its size changed (${saved.size} bytes at the checkpoint, ${current.size} now)`;
  }
  if (saved.headBytes !== current.headBytes || saved.headSha256 !== current.headSha256) {
    return 'its first bytes changed';
  }
  return undefined;
}

/** SHA-256 of a value's JSON with object keys sorted, so key order never changes the hash. */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
