// The synthetic workload of measure-stores: ids by row index (never held in memory, so the
// process's RSS is the store's), the body hash each row has on a given day, and the shuffled
// order. Day 1 writes every row; each later "round" changes 1% of the rows (a different 1% each
// round) and must find exactly those as changed.

const FIRST = ['jane', 'john', 'maria', 'li', 'ahmed', 'olga', 'pierre', 'sofia', 'kenji', 'amara', 'lucas'];
const LAST = ['doe', 'smith', 'garcia', 'wang', 'khan', 'ivanova', 'martin', 'rossi', 'tanaka', 'okafor'];
const DOMAINS = [
  'example.com',
  'acme-corp.io',
  'mail.example.org',
  'globex.co.uk',
  'initech.de',
  'umbrella.fr',
];

/** `user-0001000000`, `user-0001000003`, ...: sorted in file order, as an export by id is. */
export function userId(i) {
  return `user-${String(1_000_000 + i * 3).padStart(10, '0')}`;
}

/** `sofia.tanaka4812345@globex.co.uk`: longer, and in no particular order. */
export function emailId(i) {
  const k = (i * 2_654_435_761) % 4_294_967_291;
  return `${FIRST[k % 11]}.${LAST[(k >>> 4) % 10]}${i}@${DOMAINS[(k >>> 8) % 6]}`;
}

export const idMakers = { user: userId, email: emailId };

/** A bijection of [0, n): row k of a shuffled pass reads row shuffled(k). */
export function shuffler(n) {
  let step = 6_700_417; // prime; must share no factor with n
  while (gcd(step, n) !== 1) step += 2;
  const offset = Math.floor(n / 3);
  return (k) => (k * step + offset) % n;
}

function gcd(a, b) {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The residue of the rows changed in round r (r >= 1). 11 is prime to 100: each round its own. */
export function changedResidue(round) {
  return (37 + 11 * round) % 100;
}

/** The last round (<= `round`) that changed row i, or 0 when its day-1 body still holds. */
export function versionOf(i, round) {
  const changedIn = (((((i % 100) - 37) * 91) % 100) + 100) % 100; // 91 = 11^-1 mod 100
  return changedIn >= 1 && changedIn <= round ? changedIn : 0;
}

/** How many of rows [0, n) round r changes. */
export function expectedChanges(n, round) {
  const residue = changedResidue(round);
  return Math.floor(n / 100) + (n % 100 > residue ? 1 : 0);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const hex32 = (x) => HEX[x >>> 24] + HEX[(x >>> 16) & 255] + HEX[(x >>> 8) & 255] + HEX[x & 255];

/** The 128-bit body hash (32 hex digits) of row i at version v: what hashBody would return. */
export function bodyHashOf(i, version) {
  let a = Math.imul(i ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(version + 1, 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 15), 0x2c1b3c6d);
  let b = Math.imul(a ^ (a >>> 12), 0x297a2d39) ^ i;
  b = Math.imul(b ^ (b >>> 15), 0x85ebca77);
  return hex32(a) + hex32(b) + hex32(a ^ b ^ 0x27d4eb2f) + hex32(Math.imul(b, 0x165667b1));
}
