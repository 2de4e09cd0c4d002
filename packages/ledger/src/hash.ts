import * as crypto from 'node:crypto';
import { ledgerError } from './errors.js';

/**
 * The hash of a request body, as the ledger compares and keys it: SHA-1 of the exact JSON text
 * that is (or would be) sent, 40 hex digits. A change detector, not a security boundary (nobody
 * gains by forging a collision in their own export); SHA-1 was the fastest of the measured
 * choices (hardware SHA on x64 and arm64, one native call; see README). Records compare its
 * first 64 bits, events are keyed by its first 96.
 */
export function hashBody(json: string): string {
  return oneShotSha1(json);
}

// crypto.hash (one native call, no Hash object) arrived in Node 20.12; older 20.x builds fall
// back to createHash, same digest, about half the speed.
const oneShotSha1: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha1', text)
    : (text) => crypto.createHash('sha1').update(text).digest('hex');

/** Hex digits a records ledger compares (64 bits), and an events ledger keys by (96 bits). */
export const RECORD_HASH_DIGITS = 16;
export const EVENT_HASH_DIGITS = 24;

const DIGIT = new Int8Array(128).fill(-1);
for (let d = 0; d < 10; d++) DIGIT[48 + d] = d;
for (let d = 0; d < 6; d++) {
  DIGIT[65 + d] = 10 + d;
  DIGIT[97 + d] = 10 + d;
}

/** The 32-bit word of hex digits [8 * word, 8 * word + 8) of `text` (unsigned). */
export function hexWord(text: string, word: number): number {
  let value = 0;
  for (let i = word * 8, end = i + 8; i < end; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? DIGIT[code]! : -1;
    if (digit < 0) throw badHash(text);
    value = value * 16 + digit;
  }
  return value;
}

function badHash(text: string) {
  const shown = typeof text === 'string' ? JSON.stringify(text.slice(0, 40)) : typeof text;
  return ledgerError('LEDGER_INVALID_HASH', `ledger: ${shown} is not a body hash (hex digits from hashBody)`);
}

/** The 64-bit hash of an id, as two unsigned 32-bit words (written here, read right after). */
export const idKey = { hi: 0, lo: 0 };

/**
 * Hashes an id into `idKey`: two 32-bit multiplicative lanes over its UTF-16 code units (one
 * FNV-1a, one murmur-style), each finalised with murmur3's fmix32. Ids are short, so this beats
 * a native hash's call overhead; 10M realistic ids give no 64-bit collision (see README).
 */
export function hashIdInto(id: string): void {
  let a = 0x811c9dc5 | 0;
  let b = 0x9e3779b9 | 0;
  const n = id.length;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = fmix32(a ^ n);
  idKey.hi = a;
  idKey.lo = fmix32(b ^ a);
}

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

export function wordHex(word: number): string {
  return HEX[word >>> 24]! + HEX[(word >>> 16) & 255]! + HEX[(word >>> 8) & 255]! + HEX[word & 255]!;
}
