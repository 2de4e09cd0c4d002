/**
 * Case "events ledger over time" (issue 28): a daily feed of custom events at PX's ceiling
 * keeps its ledger to the retention window. The ledger is built as 30 days of loads leave it:
 * one open a day, stamped with that day, each recording 1M new event identities (the oldest
 * day 30 days ago, the newest yesterday). Then today's real CLI load, in its own process,
 * into an emulator process: it opens the ledger (dropping the day that fell out of the window:
 * "a day-31 run drops day 1's entries"), sends a small file of events and closes it; run
 * twice, the second sends nothing. Measured: the load's peak RSS, the entries it forgot, the
 * bytes per entry on disk before and after, and in memory: the RSS a read-only open of the
 * ledger left adds to a fresh process (this script run with --measure-open), per entry.
 *   --days <d> (30)  --per-day <n> (1000000)  --events <n> (2000)
 *   --retention-days <r> (30, the default window; the smoke run uses 3 days of 3 to open 4 times, not 30)
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openLedger } from '@pxstream/ledger';
import { arg, report } from '../case-args.js';
import { generate } from '../generate.js';
import { benchConfig, CLI, ROOT, runNode, runTs, scratch, startEmulatorProcess } from '../util.js';

const days = Number(arg('days', '30'));
const perDay = Number(arg('per-day', '1000000'));
const events = Number(arg('events', '2000'));
const DAY_MS = 86_400_000;
const RETENTION_DAYS = Number(arg('retention-days', '30'));

/** Day d of the feed (1 = the oldest), at noon UTC: `days` days ending yesterday. */
const dayTime = (d: number) => {
  const today = Math.floor(Date.now() / DAY_MS);
  return (today - (days - d + 1)) * DAY_MS + DAY_MS / 2;
};

/** `perDay` fresh 40-hex-digit identities a day, recorded as a load records them (confirmed). */
async function buildLedger(dir: string, target: Parameters<typeof openLedger>[0]['target']) {
  const bytes = Buffer.alloc(20 * 4096);
  for (let d = 1; d <= days; d++) {
    const ledger = await openLedger({
      dir,
      target,
      now: dayTime(d),
      retentionDays: RETENTION_DAYS,
      durability: 'os',
    });
    for (let done = 0; done < perDay; done += 4096) {
      randomBytes(bytes.length).copy(bytes);
      const n = Math.min(4096, perDay - done);
      for (let k = 0; k < n; k++) ledger.confirmEvent(bytes.toString('hex', k * 20, k * 20 + 20));
    }
    await ledger.close();
    if (d === days) return ledger.counts();
  }
  throw new Error('no day built');
}

/** A full GC (the flag set at run time: the case runs without --expose-gc). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

type Target = Parameters<typeof openLedger>[0]['target'];

/**
 * The child of --measure-open: the RSS that a read-only open of the ledger adds to this fresh
 * process (after full GCs, the ledger's code already loaded), and the entries it holds. RSS,
 * not array buffer sizes: what the table costs is the pages it touches.
 */
async function measureOpen(spec: { dir: string; target: Target }): Promise<void> {
  collect();
  const before = process.memoryUsage().rss;
  const ledger = await openLedger({ ...spec, readOnly: true, retentionDays: RETENTION_DAYS });
  collect();
  const bytes = process.memoryUsage().rss - before;
  const { pendingEvents, confirmedEvents } = ledger.counts();
  await ledger.close();
  report({ entries: pendingEvents + confirmedEvents, bytes });
}

async function memoryPerEntry(spec: { dir: string; target: Target }): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const run = await runNode([...runTs(self.replace(/\.mjs$/, '')), '--measure-open', JSON.stringify(spec)], {
    cwd: join(ROOT, 'bench'),
  });
  if (run.code !== 0) throw new Error(`--measure-open: exit ${run.code}: ${run.stderr}`);
  const { entries, bytes } = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  return bytes! / entries!;
}

async function du(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(dir, entry.name))).size;
  }
  return total;
}

const measured = arg('measure-open', '');
if (measured) await measureOpen(JSON.parse(measured));
else await main();

async function main(): Promise<void> {
  const { dir, cleanup } = await scratch();
  const px = await startEmulatorProcess(['--no-rate-limit']);
  try {
    const config = await benchConfig(dir, px.baseUrl);
    const productKeys = (JSON.parse(await readFile(config, 'utf8')) as { productKey: string | string[] })
      .productKey;
    const ledgerDir = join(dir, 'ledger');
    const target = {
      baseUrl: px.baseUrl,
      productKeys: Array.isArray(productKeys) ? productKeys : [productKeys],
      type: 'CUSTOM_EVENT' as const,
    };
    const started = performance.now();
    const built = await buildLedger(ledgerDir, target);
    const buildSeconds = (performance.now() - started) / 1000;
    const entries = built.confirmedEvents;
    const bytesBefore = await du(ledgerDir);

    const input = join(dir, 'events-today.csv');
    await generate({ type: 'CUSTOM_EVENT', format: 'csv', rows: events, out: input });
    const cli = async (name: string) => {
      const reportPath = join(dir, `${name}.json`);
      const args = [
        CLI,
        '-q',
        '-t',
        'CUSTOM_EVENT',
        '-c',
        config,
        '--ledger',
        ledgerDir,
        '--event-retention-days',
        String(RETENTION_DAYS),
        '--report',
        reportPath,
        input,
      ];
      const run = await runNode(args, { cwd: dir, keepStdout: false });
      if (run.code !== 0) throw new Error(`${name}: exit ${run.code}: ${run.stderr}`);
      return JSON.parse(await readFile(reportPath, 'utf8'));
    };
    const today = await cli('today');
    const again = await cli('again');
    const left = await openLedger({ dir: ledgerDir, target, readOnly: true, retentionDays: RETENTION_DAYS });
    const after = left.counts();
    await left.close();
    const bytesAfter = await du(ledgerDir);
    const memoryBytesPerEntry = await memoryPerEntry({ dir: ledgerDir, target });
    // The build's last open kept the window's days; today's open drops the oldest of them.
    const expectedExpired = days >= RETENTION_DAYS ? perDay : 0;
    report({
      days,
      perDay,
      events,
      buildSeconds,
      entries,
      bytesPerEntry: bytesBefore / entries,
      load: {
        peakRssMb: today.peakRssBytes / 2 ** 20,
        seconds: today.durationMs / 1000,
        inserted: today.inserted,
        expired: today.ledger.expired,
      },
      rerun: { peakRssMb: again.peakRssBytes / 2 ** 20, inserted: again.inserted, skipped: again.skipped },
      entriesAfter: after.confirmedEvents,
      bytesPerEntryAfter: bytesAfter / after.confirmedEvents,
      memoryBytesPerEntry,
      accounted:
        today.inserted === events &&
        today.ledger.expired === expectedExpired &&
        again.inserted === 0 &&
        again.skipped === events &&
        after.confirmedEvents === entries - expectedExpired + events,
    });
  } finally {
    await px.close();
    await cleanup();
  }
}
