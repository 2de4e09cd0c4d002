// The candidate stores behind one shape, so that every candidate runs the same workload:
//   confirm(id, hash)       buffer a confirm (sync)
//   commit()                commit everything buffered as one batch (the group commit)
//   unchanged(id, hash)     sync lookup, when the store has sync reads
//   unchangedMany(ids, hashes) -> Promise<boolean[]>, when the store has batched async reads
//   close()
// `hash` is the 32-hex-digit body hash; stores keep its first 64 bits (8 bytes).
// `keys: 'raw'` keys by the id's UTF-8 bytes, `keys: 'hash'` by a 64-bit hash of the id.
import { twoLane64 } from './hashes.mjs';

/** lmdb and classic-level are not dependencies of the ledger: install them to compare. */
async function importCandidate(name) {
  try {
    return await import(name);
  } catch {
    throw new Error(`store ${name} is not installed: npm install --no-save ${name} (in packages/ledger)`);
  }
}

/** A 64-bit hash of the id as the key (8 bytes): shorter keys, at the cost of hashing. */
function hashedKey(id) {
  return Buffer.from(twoLane64(id), 'hex');
}

async function openLmdb(dir, { keys, readOnly }) {
  const { open } = await importCandidate('lmdb');
  const db = open({
    path: dir,
    encoding: 'binary',
    keyEncoding: keys === 'hash' ? 'binary' : undefined,
    compression: false,
    readOnly,
  });
  const keyOf = keys === 'hash' ? hashedKey : (id) => id;
  let last;
  return {
    confirm(id, hash) {
      last = db.put(keyOf(id), Buffer.from(hash.slice(0, 16), 'hex'));
    },
    async commit() {
      await last; // lmdb-js commits the puts of one event-loop turn in one transaction (fsync'd)
    },
    unchanged(id, hash) {
      const stored = db.getBinaryFast(keyOf(id)); // a view of a shared buffer, valid until the next get
      return stored !== undefined && stored.length === 8 && stored.toString('hex') === hash.slice(0, 16);
    },
    async close() {
      await db.close();
    },
  };
}

async function openLevel(dir, { keys, readOnly }) {
  const { ClassicLevel } = await importCandidate('classic-level');
  const db = new ClassicLevel(dir, {
    keyEncoding: keys === 'hash' ? 'buffer' : 'utf8',
    valueEncoding: 'hex',
  });
  await db.open({ createIfMissing: !readOnly });
  const keyOf = keys === 'hash' ? hashedKey : (id) => id;
  let ops = [];
  return {
    confirm(id, hash) {
      ops.push({ type: 'put', key: keyOf(id), value: hash.slice(0, 16) });
    },
    async commit() {
      const batch = ops;
      ops = [];
      if (batch.length > 0) await db.batch(batch, { sync: true });
    },
    unchanged(id, hash) {
      return db.getSync(keyOf(id)) === hash.slice(0, 16);
    },
    async unchangedMany(ids, hashes) {
      const stored = await db.getMany(ids.map(keyOf));
      return stored.map((value, k) => value === hashes[k].slice(0, 16));
    },
    async close() {
      await db.close();
    },
  };
}

async function openPxLedger(dir, { readOnly }) {
  const { openLedger } = await import('../../dist/index.js');
  const target = { baseUrl: 'https://api.aptrinsic.com/v1', productKeys: ['AP-BENCH-1'], type: 'USER' };
  const ledger = await openLedger({ dir, target, readOnly });
  return {
    confirm(id, hash) {
      ledger.confirm(id, hash);
    },
    commit() {
      return ledger.flush();
    },
    unchanged(id, hash) {
      return ledger.hasUnchanged(id, hash);
    },
    unchangedMany(ids, hashes) {
      const answers = ledger.unchangedMany(ids, hashes); // synchronous: the table is in memory
      return Promise.resolve(Array.from(answers, (answer) => answer === 1));
    },
    close() {
      return ledger.close();
    },
  };
}

/** No store at all: the harness's own cost and RSS, to subtract from the others. */
async function openNone() {
  return {
    confirm() {},
    async commit() {},
    unchanged: () => true,
    unchangedMany: (ids) => Promise.resolve(ids.map(() => true)),
    async close() {},
  };
}

export const stores = { lmdb: openLmdb, level: openLevel, pxledger: openPxLedger, none: openNone };
