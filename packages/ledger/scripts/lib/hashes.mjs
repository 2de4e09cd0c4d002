// Candidate body hashes for hashBody, each returning hex. The package's own choice is measured
// beside them through its build (dist), so the figure is that of the shipped code.
import { createHash, hash } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const hex32 = (x) => HEX[x >>> 24] + HEX[(x >>> 16) & 255] + HEX[(x >>> 8) & 255] + HEX[x & 255];

/** Two 32-bit multiplicative lanes over UTF-16 code units, finalised with murmur3's fmix32. */
export function twoLane64(s) {
  let a = 0x9e3779b9 | 0;
  let b = 0x85ebca6b | 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = fmix(a ^ s.length);
  b = fmix(b ^ a);
  return hex32(a) + hex32(b);
}

function fmix(h) {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export const hashCandidates = {
  'crypto.hash md5 (128 bit)': (s) => hash('md5', s),
  'crypto.hash sha1 (160 bit)': (s) => hash('sha1', s),
  'crypto.hash sha1, base64': (s) => hash('sha1', s, 'base64'),
  'createHash md5 (128 bit)': (s) => createHash('md5').update(s).digest('hex'),
  'createHash sha1 (160 bit)': (s) => createHash('sha1').update(s).digest('hex'),
  'js two-lane (64 bit)': twoLane64,
};

/** A realistic ~300-byte USER body, as the mapper would build it (unicode included). */
export function sampleBody(i) {
  return JSON.stringify({
    identifyId: `user-${String(4_812_345 + i).padStart(10, '0')}`,
    propertyKeys: ['AP-XXXXXXXXXX-2'],
    type: 'USER',
    email: `jane.doe${i}@example.com`,
    firstName: 'Jane',
    lastName: i % 7 === 0 ? 'Doé-Łukasiewicz' : 'Doe',
    title: 'Head of Operations',
    signUpDate: 1_700_000_000_000 + i * 1000,
    score: i % 100,
    customAttributes: { plan: 'enterprise', seats: i % 500, region: 'emea-west' },
    location: { countryCode: 'FR', city: 'Lyon' },
  });
}
