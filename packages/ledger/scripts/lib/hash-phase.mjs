// The hash phase of measure-stores: hashBody candidates on ~300-byte bodies, the package's id
// hash on the two id shapes, how many of 10M ids collide in 64 bits and in the 48-bit
// fingerprint the table keeps, and what the harness's own per-row work costs (to subtract).

import { hashIdInto, idKey } from '../../dist/hash.js';
import { hashBody } from '../../dist/index.js';
import { hashCandidates, sampleBody } from './hashes.mjs';
import { bodyHashOf, idMakers, versionOf } from './workload.mjs';

const ROUNDS = 7;

/**
 * ns per call of each function: best, median and worst of ROUNDS rounds. Rounds alternate
 * between the functions, so that a noisy moment on this shared machine hits them all alike.
 */
function timeAll(fns, inputs, repeat) {
  const samples = Object.fromEntries(Object.keys(fns).map((name) => [name, []]));
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      const start = process.hrtime.bigint();
      for (let r = 0; r < repeat; r++) for (let i = 0; i < inputs.length; i++) sink ^= fn(inputs[i]) ? 1 : 0;
      samples[name].push(Number(process.hrtime.bigint() - start) / (repeat * inputs.length));
    }
  }
  if (sink === -1) console.log(sink);
  const stats = (results) => {
    results.sort((a, b) => a - b);
    return { best: results[0], median: results[ROUNDS >> 1], worst: results[ROUNDS - 1] };
  };
  return Object.fromEntries(Object.entries(samples).map(([name, results]) => [name, stats(results)]));
}

export function runHashPhase({ n, only }) {
  const bodies = Array.from({ length: 20_000 }, (_, i) => sampleBody(i));
  const bodyBytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0) / bodies.length;
  const candidates = { ...hashCandidates, 'pxledger hashBody (dist)': hashBody };
  const body = timeAll(
    Object.fromEntries(Object.entries(candidates).filter(([name]) => !only || name.includes(only))),
    bodies,
    5,
  );
  const ids = {};
  for (const [kind, makeId] of Object.entries(idMakers)) {
    const inputs = Array.from({ length: 100_000 }, (_, i) => makeId(i * 97));
    Object.assign(ids, timeAll({ [`pxledger id hash, ${kind} ids`]: (id) => hashIdInto(id) }, inputs, 5));
  }
  const harnessRow = (i) => idMakers.user(i).length + bodyHashOf(i, versionOf(i, 1)).length;
  const harness = timeAll({ harness: harnessRow }, range(100_000), 5).harness;
  return { bodyBytes: Math.round(bodyBytes), body, ids, harness, collisions: collisions(n) };
}

function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}

/** Equal 64-bit id hashes, and equal 48-bit fingerprints (top 48 bits), among n ids of each shape. */
function collisions(n) {
  const found = {};
  for (const [kind, makeId] of Object.entries(idMakers)) {
    const keys = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      hashIdInto(makeId(i));
      keys[i] = (BigInt(idKey.hi) << 32n) | BigInt(idKey.lo);
    }
    keys.sort();
    let full = 0;
    let fingerprint = 0;
    for (let i = 1; i < n; i++) {
      if (keys[i] === keys[i - 1]) full++;
      if (keys[i] >> 16n === keys[i - 1] >> 16n) fingerprint++;
    }
    const expected48 = (n * (n - 1)) / 2 / 2 ** 48;
    found[kind] = { ids: n, equal64: full, equal48: fingerprint, expected48: Number(expected48.toFixed(3)) };
  }
  return found;
}
