/**
 * Case 11 (issue 26): reading PX back on both PX servers, each run in its own process
 * (`cases/read-back.ts --server emulator|peer`). Its figures, each against its target, as rows
 * of `pnpm bench`'s table; a full run of both servers writes them to bench/RESULTS.md between
 * `<!-- read-back:start -->` and `<!-- read-back:end -->`. `--smoke`: 3,000 users, nothing written.
 */
import { loadavg } from 'node:os';
import type { BenchRow } from './bench-row.js';
import { writeSection } from './results-file.js';
import { machine, runCase } from './util.js';

export interface ReadBackResult {
  server: string;
  users: number;
  seeded: number;
  seedSeconds: number;
  serverMemory: { rssMb: number; peakRssMb: number } | null;
  latencyMs: number;
  /** 1,000 records per round trip: 1,000 / latency. */
  bound: number;
  export: {
    records: number;
    requests: number;
    seconds: number;
    rowsPerSecond: number;
    cliRowsPerSecond: number;
    peakRssMb: number;
  };
  /** A bare scroll loop over the same server, just before the export (raw-scroll.ts). */
  rawScroll: { records: number; pages: number; seconds: number; rowsPerSecond: number };
  verify: {
    match: number;
    differ: number;
    missing: number;
    exit: number | null;
    reads: number;
    pages: number;
    seconds: number;
    peakRssMb: number;
  };
  rebuild: { entries: number; requests: number; seconds: number; peakRssMb: number };
  load: {
    changedRows: number;
    writes: number;
    /** Requests PX received during the load, and of those the 429s (refused, so retried). */
    requests: number;
    http429: number;
    unchanged: number;
    rejected: number;
    seconds: number;
    peakRssMb: number;
  };
  accounted: boolean;
}

/** The figures: export at 0.8x the bound, 150 MB; verify in 1,002 reads; writes = changed rows. */
export function readBackTargets(r: ReadBackResult) {
  return {
    exportRate: r.accounted && r.export.rowsPerSecond >= 0.8 * r.bound,
    exportRss: r.export.peakRssMb <= 150,
    verifyReads: r.accounted && r.verify.exit === 0 && r.verify.reads <= Math.ceil(r.users / 1000) + 2,
    // Requests PX admitted: the writes and the metadata read (429s are refusals, retried).
    writes:
      r.accounted &&
      r.load.writes === r.load.changedRows &&
      r.load.requests - r.load.http429 <= r.load.changedRows + 1,
  };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function runReadBack(options: { smoke: boolean; server: string }): Promise<ReadBackResult[]> {
  const results: ReadBackResult[] = [];
  const load: number[] = [];
  for (const server of ['emulator', 'peer']) {
    if (options.server && options.server !== server) continue;
    process.stderr.write(`case 11, ${server}...\n`);
    load.push(loadavg()[0]!);
    const args = ['--server', server, ...(options.smoke ? ['--users', '3000'] : [])];
    results.push(await runCase<ReadBackResult>('read-back.ts', args));
    load.push(loadavg()[0]!);
  }
  if (!options.smoke && !options.server) {
    const loads = `load average ${fmt(Math.min(...load), 1)} to ${fmt(Math.max(...load), 1)} on the 2 cores`;
    const rows = results.flatMap(readBackRows);
    const table = [
      '| server | metric | pxstream | baseline | ratio | target | |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (r) =>
          `| ${r.case.replace('11 read back, ', '')} | ${r.metric} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.target} | ${r.pass ? 'met' : '**missed**'} |`,
      ),
    ].join('\n');
    await writeSection(
      'read-back',
      `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine()}, ${loads}.\nCommand: \`pnpm bench --case 11\` (each server in its own process: \`bench/src/cases/read-back.ts --server emulator|peer\`).\n\n${table}`,
      'Read PX back (case 11, issue 26)',
    );
  }
  return results;
}

/** One server's figures, each against its target. */
export function readBackRows(r: ReadBackResult): BenchRow[] {
  const met = readBackTargets(r);
  const name = `11 read back, ${r.server}`;
  const held = r.serverMemory ? `; emulator RSS ${fmt(r.serverMemory.rssMb)} MB holding them` : '';
  return [
    {
      case: name,
      metric: `\`pxstream export\` of ${fmt(r.users)} users to CSV, PX latency ${r.latencyMs} ms, rows/s over the process's wall time (the CLI's own: ${fmt(r.export.cliRowsPerSecond)}); seeded in ${fmt(r.seedSeconds, 1)} s${held}`,
      value: `${fmt(r.export.rowsPerSecond)} rows/s (${fmt(r.export.seconds, 1)} s, ${fmt(r.export.requests)} requests)`,
      baseline: `${fmt(r.bound)} rows/s (1,000 records per round trip)`,
      ratio: fmt(r.export.rowsPerSecond / r.bound, 2),
      target: '>= 0.80',
      pass: met.exportRate,
    },
    {
      case: name,
      metric: `the same export against a bare scroll loop over the same server (pages of 1,000 parsed, nothing else: ${fmt(r.rawScroll.seconds, 1)} s), the most a sequential reader gets from it here`,
      value: `${fmt(r.export.rowsPerSecond)} rows/s`,
      baseline: `${fmt(r.rawScroll.rowsPerSecond)} rows/s`,
      ratio: fmt(r.export.rowsPerSecond / r.rawScroll.rowsPerSecond, 2),
      target: '(none: what limits the figure)',
      pass: r.accounted,
    },
    {
      case: name,
      metric: 'peak RSS of the export process',
      value: `${fmt(r.export.peakRssMb)} MB`,
      baseline: '150 MB',
      ratio: fmt(r.export.peakRssMb / 150, 2),
      target: '<= 150 MB',
      pass: met.exportRss,
    },
    {
      case: name,
      metric: `reads of \`pxstream verify\` of the same ${fmt(r.users)} rows (${fmt(r.verify.match)} match, ${r.verify.differ} differ, ${r.verify.missing} missing; ${fmt(r.verify.seconds, 1)} s, ${fmt(r.verify.peakRssMb)} MB peak)`,
      value: fmt(r.verify.reads),
      baseline: `${fmt(r.verify.pages)} pages`,
      ratio: fmt(r.verify.reads / (Math.ceil(r.users / 1000) + 2), 3),
      target: `<= ${fmt(Math.ceil(r.users / 1000) + 2)}`,
      pass: met.verifyReads,
    },
    {
      case: name,
      metric: `writes of a day-2 \`--changed-only\` load, 1% changed, after \`ledger rebuild\` (${fmt(r.rebuild.entries)} entries, ${fmt(r.rebuild.requests)} requests, ${fmt(r.rebuild.seconds, 1)} s, ${fmt(r.rebuild.peakRssMb)} MB peak); requests PX admitted ${fmt(r.load.requests - r.load.http429)} (and refused ${fmt(r.load.http429)} with a 429)`,
      value: fmt(r.load.writes),
      baseline: `${fmt(r.load.changedRows)} rows changed (${fmt(r.load.unchanged)} skipped unchanged)`,
      ratio: fmt(r.load.writes / r.load.changedRows, 2),
      target: '= the changed rows',
      pass: met.writes,
    },
  ];
}
