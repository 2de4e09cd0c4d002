// One phase of measure-stores, run in a child process of its own so that its peak RSS is its own.
//   write:  day 1, every row confirmed in file order through the group-commit path
//   lookup: a later day, every row looked up (file order or shuffled, sync or batched), the 1%
//           that changed confirmed; the count of rows found changed must be exactly that 1%
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stores } from './stores.mjs';
import { bodyHashOf, expectedChanges, idMakers, shuffler, versionOf } from './workload.mjs';

const COMMIT_EVERY = 10_000; // confirms per group commit in these bulk phases
const YIELD_EVERY = 10_000; // rows between event-loop turns, as a streaming pipeline gives
const CHUNK = 1_000_000; // rows per throughput sample

export async function runPhase(spec) {
  const store = await stores[spec.store](spec.dir, { keys: spec.keys, readOnly: false });
  const makeId = idMakers[spec.ids];
  const result =
    spec.phase === 'write' ? await write(store, spec, makeId) : await lookup(store, spec, makeId);
  const closeStart = performance.now();
  await store.close();
  result.closeMs = Math.round(performance.now() - closeStart);
  result.disk = diskUsage(spec.dir);
  result.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  return result;
}

/** Confirms with one group commit in flight while the next batch fills: how a load would write. */
function committer(store) {
  let inFlight = Promise.resolve();
  let pending = 0;
  return {
    /** Undefined, or a promise to await when a batch is full (no await per row). */
    confirmed() {
      if (++pending < COMMIT_EVERY) return undefined;
      pending = 0;
      return inFlight.then(() => {
        inFlight = store.commit();
      });
    },
    async finish() {
      await inFlight;
      await store.commit();
    },
  };
}

async function write(store, spec, makeId) {
  const commits = committer(store);
  const rates = sampler();
  for (let i = 0; i < spec.n; i++) {
    store.confirm(makeId(i), bodyHashOf(i, 0));
    const full = commits.confirmed();
    if (full) await full;
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise(setImmediate);
    rates.row(i);
  }
  await commits.finish();
  return { opsPerSecond: rates.overall(spec.n), chunks: rates.chunks };
}

async function lookup(store, spec, makeId) {
  const order = spec.order === 'shuffled' ? shuffler(spec.n) : (k) => k;
  const commits = committer(store);
  const rates = sampler();
  let changed = 0;
  const changedRow = (id, hash) => {
    changed++;
    store.confirm(id, hash);
    return commits.confirmed();
  };
  if (spec.mode === 'sync') {
    for (let k = 0; k < spec.n; k++) {
      const i = order(k);
      const id = makeId(i);
      const hash = bodyHashOf(i, versionOf(i, spec.round));
      if (!store.unchanged(id, hash)) {
        const full = changedRow(id, hash);
        if (full) await full;
      }
      if (k % YIELD_EVERY === YIELD_EVERY - 1) await new Promise(setImmediate);
      rates.row(k);
    }
  } else {
    // Batches of 1,000 ids, one batch in flight while the next is built (pipelined).
    let ids = [];
    let hashes = [];
    let previous;
    const drain = async (batch) => {
      const answers = await batch.answers;
      for (let j = 0; j < answers.length; j++) {
        if (answers[j]) continue;
        const full = changedRow(batch.ids[j], batch.hashes[j]);
        if (full) await full;
      }
    };
    for (let k = 0; k < spec.n; k++) {
      const i = order(k);
      ids.push(makeId(i));
      hashes.push(bodyHashOf(i, versionOf(i, spec.round)));
      if (ids.length === 1000 || k === spec.n - 1) {
        const batch = { ids, hashes, answers: store.unchangedMany(ids, hashes) };
        if (previous) await drain(previous);
        previous = batch;
        ids = [];
        hashes = [];
      }
      rates.row(k);
    }
    await drain(previous);
  }
  await commits.finish();
  const expected = expectedChanges(spec.n, spec.round);
  if (spec.store !== 'none' && changed !== expected)
    throw new Error(`${spec.store}: found ${changed} rows changed, expected ${expected}`);
  return { opsPerSecond: rates.overall(spec.n), chunks: rates.chunks, changed };
}

/** Rows per second over the whole phase and per chunk of 1M rows (for the spread). */
function sampler() {
  const start = performance.now();
  let chunkStart = start;
  const chunks = [];
  return {
    chunks,
    row(k) {
      if ((k + 1) % CHUNK !== 0) return;
      const now = performance.now();
      chunks.push(Math.round(CHUNK / ((now - chunkStart) / 1000)));
      chunkStart = now;
    },
    overall(n) {
      return Math.round(n / ((performance.now() - start) / 1000));
    },
  };
}

/** Bytes the directory takes: allocated (what du reports) and apparent (file sizes). */
export function diskUsage(dir) {
  let allocated = 0;
  let apparent = 0;
  for (const name of readdirSync(dir)) {
    const stat = statSync(join(dir, name));
    if (stat.isDirectory()) {
      const inner = diskUsage(join(dir, name));
      allocated += inner.allocated;
      apparent += inner.apparent;
    } else {
      allocated += stat.blocks * 512;
      apparent += stat.size;
    }
  }
  return { allocated, apparent };
}
