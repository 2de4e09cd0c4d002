/**
 * Case "incremental sync": N ids (10M by default). Day 1's ledger is built as a load would
 * leave it (every body hashed and confirmed); day 2 is the same export with 1% of the rows
 * changed. Measured on day 2, each run the real CLI in its own process:
 * - the local part (read, map, hash, look up) = `--plan`, against a dry run of the same file
 *   to /dev/null, best of R alternating rounds;
 * - a real `--changed-only` load into an emulator in its own process, limits off: the
 *   requests it sends (only the changed rows'), its speed, its peak RSS;
 * - the ledger's size on disk per id.
 *   --rows <n>  --rounds <r>  --changed-every <k> (1 row in k changes; default 100)
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { RowEnvelope } from '@pxstream/core';
import { hashBody, openLedger } from '@pxstream/ledger';
import { arg, report } from '../case-args.js';
import { exampleUserStages, pipeMappedUsers } from '../example-stages.js';
import { generate } from '../generate.js';
import { benchConfig, CLI, runNode, scratch, startEmulatorProcess } from '../util.js';

const rows = Number(arg('rows', '10000000'));
const rounds = Number(arg('rounds', '3'));
const every = Number(arg('changed-every', '100'));
const changed = (i: number) => i % every === 7 % every;

/** Day 1 as a load leaves the ledger: each body's hash confirmed for its id. */
async function buildDay1Ledger(input: string, dir: string, baseUrl: string): Promise<number> {
  const { config } = await exampleUserStages();
  const ledger = await openLedger({
    dir,
    target: { baseUrl, productKeys: config.productKeys, type: 'USER' },
  });
  let confirmed = 0;
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 256,
    write(row: RowEnvelope, _encoding, callback) {
      ledger.confirm(row.key as string, hashBody(JSON.stringify(row.body)));
      confirmed++;
      callback();
    },
  });
  await pipeMappedUsers(input, sink);
  await ledger.close();
  return confirmed;
}

async function du(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
  }
  return bytes;
}

const { dir, cleanup } = await scratch();
const px = await startEmulatorProcess(['--no-rate-limit']);
try {
  const day1 = join(dir, 'users-day1.csv');
  const day2 = join(dir, 'users-day2.csv');
  await generate({ type: 'USER', format: 'csv', rows, out: day1 });
  await generate({ type: 'USER', format: 'csv', rows, out: day2, changed });
  const ledgerDir = join(dir, 'ledger');
  const config = await benchConfig(dir, px.baseUrl);
  const built = performance.now();
  const confirmed = await buildDay1Ledger(day1, ledgerDir, px.baseUrl);
  const buildSeconds = (performance.now() - built) / 1000;
  const ledgerBytes = await du(ledgerDir);

  const cli = async (flags: string[], name: string) => {
    const reportPath = join(dir, `${name}.json`);
    const run = await runNode(
      [CLI, '-q', ...flags, '-t', 'USER', '-c', config, '--report', reportPath, day2],
      {
        cwd: dir,
        keepStdout: false,
      },
    );
    if (run.code !== 0 && run.code !== 3) throw new Error(`${name}: exit ${run.code}: ${run.stderr}`);
    return JSON.parse(await readFile(reportPath, 'utf8'));
  };
  const plans: Array<{ rowsPerSecond: number; peakRssBytes: number; plan: Record<string, number> }> = [];
  const dryRuns: Array<{ rowsPerSecond: number; peakRssBytes: number }> = [];
  for (let round = 0; round < rounds; round++) {
    dryRuns.push(await cli(['--dry-run'], `dry-${round}`));
    plans.push(await cli(['--plan', '--ledger', ledgerDir], `plan-${round}`));
  }
  const best = <T extends { rowsPerSecond: number }>(list: T[]) =>
    list.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
  const plan = best(plans);
  const dry = best(dryRuns);

  const before = await px.stats();
  const load = await cli(['--changed-only', '--ledger', ledgerDir], 'load');
  const after = await px.stats();
  const expectedChanged = Math.floor((rows - 1 - (7 % every)) / every) + 1;
  report({
    rows,
    changedRows: expectedChanged,
    day1: { confirmed, buildSeconds, ledgerBytes, bytesPerId: ledgerBytes / rows },
    dryRun: { rowsPerSecond: dry.rowsPerSecond, peakRssMb: dry.peakRssBytes / 2 ** 20 },
    plan: {
      rowsPerSecond: plan.rowsPerSecond,
      peakRssMb: plan.peakRssBytes / 2 ** 20,
      counts: plan.plan,
      spread: plans.map((p) => Math.round(p.rowsPerSecond)),
    },
    localRatio: plan.rowsPerSecond / dry.rowsPerSecond,
    load: {
      rowsPerSecond: load.rowsPerSecond,
      peakRssMb: load.peakRssBytes / 2 ** 20,
      requests: after.requests - before.requests,
      skipped: load.rows.skipped,
      unchanged: load.skippedByReason.unchanged ?? 0,
    },
    bytesPerIdAfter: (await du(ledgerDir)) / rows,
    accounted:
      confirmed === rows &&
      plan.plan.changed === expectedChanged &&
      load.rows.read === rows &&
      (load.skippedByReason.unchanged ?? 0) === rows - expectedChanged,
  });
} finally {
  await px.close();
  await cleanup();
}
