#!/usr/bin/env node
// Measures the ledger's candidate stores on the same workload, each phase in its own process:
//   day 1   n confirms in file order, group-committed (fsync'd) every 10,000
//   day 2   n lookups in file order, 1% changed and confirmed; then again shuffled (another 1%)
// and reports writes/s, lookups/s (sync, and batched where the store has async reads), bytes
// on disk per id after day 1 and after day 2, and each process's peak RSS; plus the hash phase.
//
// Build first: npx tsc -b packages/ledger
// Usage: node packages/ledger/scripts/measure-stores.mjs [--n 10000000] [--stores pxledger,lmdb,level]
//        [--ids user,email] [--keys raw|hash] [--runs 1] [--orders file,shuffled] [--modes sync,batch]
//        [--hash] [--only-hash] [--json out.json]
//        node packages/ledger/scripts/measure-stores.mjs --from-json out.json   (tables of a saved run)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printHash, printStores } from './lib/report.mjs';

const MODES = {
  pxledger: ['sync', 'batch'],
  lmdb: ['sync'],
  level: ['sync', 'batch'],
  none: ['sync', 'batch'],
};

if (process.argv[2] === '--child') {
  const spec = JSON.parse(process.argv[3]);
  const result =
    spec.phase === 'hash'
      ? (await import('./lib/hash-phase.mjs')).runHashPhase(spec)
      : await (await import('./lib/phases.mjs')).runPhase(spec);
  console.log(`RESULT ${JSON.stringify(result)}`);
} else {
  await main();
}

function child(spec) {
  const run = spawnSync(
    process.execPath,
    [new URL(import.meta.url).pathname, '--child', JSON.stringify(spec)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const line = run.stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (run.status !== 0 || !line) throw new Error(`phase ${JSON.stringify(spec)} failed (exit ${run.status})`);
  return JSON.parse(line.slice(7));
}

async function main() {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '10000000' },
      stores: { type: 'string', default: 'pxledger,lmdb,level' },
      ids: { type: 'string', default: 'user,email' },
      keys: { type: 'string', default: 'raw' },
      runs: { type: 'string', default: '1' },
      orders: { type: 'string', default: 'file,shuffled' },
      modes: { type: 'string', default: 'sync,batch' },
      hash: { type: 'boolean', default: false },
      'only-hash': { type: 'boolean', default: false },
      json: { type: 'string' },
      'from-json': { type: 'string' },
    },
  });
  if (values['from-json']) {
    const saved = JSON.parse(readFileSync(values['from-json'], 'utf8'));
    if (saved.hash) printHash(saved.hash);
    if (saved.cases.length > 0) printStores(saved);
    return;
  }
  const n = Number(values.n);
  const runs = Number(values.runs);
  const orders = values.orders.split(',');
  const modes = values.modes.split(',');
  const save = () => values.json && writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  const report = {
    n,
    runs,
    node: process.version,
    date: new Date().toISOString(),
    cases: [],
    hash: undefined,
  };
  if (values.hash || values['only-hash']) {
    report.hash = child({ phase: 'hash', n });
    printHash(report.hash);
  }
  if (!values['only-hash']) {
    for (const ids of values.ids.split(',')) {
      for (const store of values.stores.split(',')) {
        const keys = store === 'pxledger' ? 'hash' : store === 'none' ? '-' : values.keys;
        report.cases.push(measureCase({ store, ids, keys, n, runs, orders, modes }));
        save(); // after each case: a long run interrupted keeps what it measured
      }
    }
    printStores(report);
  }
  save();
}

function measureCase({ store, ids, keys, n, runs, orders, modes }) {
  const result = { store, ids, keys, runs: [] };
  for (let run = 0; run < runs; run++) {
    const dir = mkdtempSync(join(tmpdir(), `ledger-bench-${store}-`));
    try {
      const base = { store, ids, keys, n, dir };
      const phases = { write: child({ ...base, phase: 'write' }), lookups: [] };
      log(store, ids, 'day 1 write', phases.write);
      let round = 0;
      for (const order of orders) {
        for (const mode of MODES[store].filter((m) => modes.includes(m))) {
          const phase = child({ ...base, phase: 'lookup', order, mode, round: ++round });
          phases.lookups.push({ order, mode, ...phase });
          log(store, ids, `lookup ${order} ${mode}`, phase);
        }
      }
      result.runs.push(phases);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return result;
}

function log(store, ids, what, phase) {
  const mb = (phase.maxRssBytes / 2 ** 20).toFixed(0);
  console.error(
    `${store} ${ids} ${what}: ${phase.opsPerSecond}/s, peak RSS ${mb} MB, disk ${phase.disk.allocated} B`,
  );
}
