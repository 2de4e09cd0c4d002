/**
 * Case 11 (issue 26), one PX server: N users (1M by default) put into the server as a load
 * leaves them, PX's latency 40 ms, its limit 200/s. Each step is the real CLI in its own
 * process (its peak RSS is the process's), the requests counted on the server:
 * - `pxstream export` of every user to a CSV file: rows/s against the bound of one page of
 *   1,000 records per round trip (1,000 / latency), and against a bare scroll loop over the same
 *   server (raw-scroll.ts: what the server allows a sequential client here); peak RSS. The
 *   export reads 4 ranges of `createDate` at once (its default `scrolls`): its requests include
 *   the counts that cut them, and the emulator's peak RSS after it is reported too;
 * - `pxstream verify` of the same rows: the reads it takes (ceil(N / 1,000) pages + 2);
 * - `pxstream ledger rebuild`, then a day-2 `--changed-only` load of the file with 1% of the
 *   rows changed: the writes it sends (the changed rows only).
 *   --server emulator|peer  --users <n>  --latency <ms>  --changed-every <k> (1 row in k changes)
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, report } from '../case-args.js';
import { generate } from '../generate.js';
import { rawScroll } from '../raw-scroll.js';
import { seedMappedUsers } from '../seed-bodies.js';
import { type ServerKind, startServer } from '../servers.js';
import { benchConfig, CLI, runNode, scratch } from '../util.js';

const users = Number(arg('users', '1000000'));
const kind = arg('server', 'emulator') as ServerKind;
const latencyMs = Number(arg('latency', '40'));
const every = Number(arg('changed-every', '100'));
const changed = (i: number) => i % every === 7 % every;
const PRELOAD = fileURLToPath(new URL('../peak-rss-preload.mjs', import.meta.url));

interface Step {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  peakRssMb: number;
  /** Requests the server received during the step, and of those the 429s. */
  requests: number;
  http429: number;
}

const { dir, cleanup } = await scratch();
const px = await startServer(kind, {
  rate: 200,
  shape: kind === 'emulator' ? 'bucket' : 'sliding',
  latencyMs,
});
try {
  const day1 = join(dir, 'users-day1.csv');
  const day2 = join(dir, 'users-day2.csv');
  await generate({ type: 'USER', format: 'csv', rows: users, out: day1 });
  await generate({ type: 'USER', format: 'csv', rows: users, out: day2, changed });
  const seedStarted = performance.now();
  const seeded = await seedMappedUsers(kind, px.baseUrl, day1);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const serverMemory = kind === 'emulator' ? await emulatorMemory(px.baseUrl) : null;
  const config = await benchConfig(dir, px.baseUrl);

  /** One CLI run in its own process, its peak RSS from the preload, its requests from the server. */
  const cli = async (name: string, args: string[], ok: number[] = [0]): Promise<Step> => {
    const rssFile = join(dir, `${name}.rss`);
    process.env.PXSTREAM_BENCH_PEAK_RSS = rssFile;
    const before = await px.stats();
    const run = await runNode(['--import', PRELOAD, CLI, ...args], { cwd: dir });
    const after = await px.stats();
    if (!ok.includes(run.code ?? -1)) throw new Error(`${name}: exit ${run.code}: ${run.stderr}`);
    const peak = Number(await readFile(rssFile, 'utf8'));
    return {
      code: run.code,
      stdout: run.stdout,
      stderr: run.stderr,
      seconds: run.ms / 1000,
      peakRssMb: peak / 2 ** 20,
      requests: after.requests - before.requests,
      http429: after.rateLimited - before.rateLimited,
    };
  };
  const target = ['-t', 'USER', '-c', config];

  // The baseline first: the server's own bound on this machine (see raw-scroll.ts).
  const raw = await rawScroll(px.baseUrl);
  const exported = join(dir, 'export.csv');
  const exp = await cli('export', ['export', ...target, '-o', exported]);
  const exportLine = /EXPORT: (\d+) records, (\d+) requests/.exec(exp.stdout);
  const exportRecords = Number(exportLine?.[1] ?? -1);
  // The CLI's own figure (from its first request to its last record), besides the process wall.
  const cliRate = Number(/ ([\d.]+) records\/s/.exec(exp.stderr)?.[1] ?? Number.NaN);
  await rm(exported);
  // The emulator's peak after the export: the ranges' counts and scrolls hold snapshots there.
  const serverMemoryAfterExport = kind === 'emulator' ? await emulatorMemory(px.baseUrl) : null;

  const ver = await cli('verify', ['verify', ...target, day1], [0, 3]);
  const verifyLine = /VERIFY: (\d+) match, (\d+) differ, (\d+) missing in PX/.exec(ver.stdout);
  const [match, differ, missing] = [1, 2, 3].map((i) => Number(verifyLine?.[i] ?? -1));

  const ledger = join(dir, 'ledger');
  const reb = await cli('rebuild', ['ledger', 'rebuild', ...target, '--ledger', ledger]);
  const entries = Number(/REBUILT: (\d+) entries/.exec(reb.stdout)?.[1] ?? -1);

  const loadReport = join(dir, 'load.json');
  const load = await cli(
    'load',
    ['-q', ...target, '--rate', '200', '--changed-only', '--ledger', ledger, '--report', loadReport, day2],
    [0, 3],
  );
  const day2Report = JSON.parse(await readFile(loadReport, 'utf8'));
  const changedRows = Math.floor((users - 1 - (7 % every)) / every) + 1;
  const bound = 1000 / (latencyMs / 1000);
  const pages = Math.ceil(seeded / 1000);
  report({
    server: kind,
    users,
    seeded,
    seedSeconds,
    serverMemory,
    serverMemoryAfterExport,
    latencyMs,
    bound,
    export: {
      records: exportRecords,
      requests: exp.requests,
      seconds: exp.seconds,
      rowsPerSecond: exportRecords / exp.seconds,
      cliRowsPerSecond: cliRate,
      peakRssMb: exp.peakRssMb,
      /** The CLI's note on how it read: `in 4 ranges of createDate at once`, or why in one scroll. */
      reading: /reading \d+ records in [^\n]*/.exec(exp.stderr)?.[0] ?? null,
    },
    rawScroll: { ...raw, rowsPerSecond: raw.records / raw.seconds },
    verify: {
      match,
      differ,
      missing,
      exit: ver.code,
      reads: ver.requests,
      pages,
      seconds: ver.seconds,
      peakRssMb: ver.peakRssMb,
    },
    rebuild: { entries, requests: reb.requests, seconds: reb.seconds, peakRssMb: reb.peakRssMb },
    load: {
      changedRows,
      writes: day2Report.rows.updated + day2Report.rows.inserted,
      requests: load.requests,
      http429: load.http429,
      unchanged: day2Report.skippedByReason.unchanged ?? 0,
      rejected: day2Report.rows.rejected,
      seconds: load.seconds,
      peakRssMb: day2Report.peakRssBytes / 2 ** 20,
    },
    accounted:
      seeded === users &&
      exportRecords === seeded &&
      match === seeded &&
      entries === seeded &&
      day2Report.rows.read === users &&
      (day2Report.skippedByReason.unchanged ?? 0) === users - changedRows,
  });
} finally {
  await px.close();
  await cleanup();
}

/** The emulator's RSS now and its peak so far (`GET /__emulator/memory`), in MB. */
async function emulatorMemory(baseUrl: string): Promise<{ rssMb: number; peakRssMb: number }> {
  const origin = baseUrl.replace(/\/v1$/, '');
  const memory = (await (await fetch(`${origin}/__emulator/memory`)).json()) as {
    rss: number;
    maxRss: number;
  };
  return { rssMb: memory.rss / 2 ** 20, peakRssMb: memory.maxRss / 2 ** 20 };
}
