/**
 * `pnpm bench`: every case in its own process, one after the other, then a table of ratios
 * and bench/RESULTS.md. `--smoke`: tiny sizes, no RESULTS.md (what CI runs). `--case <n>`: one case.
 * Case 7 (the limiter table, see limiter-table.ts) writes its own section of RESULTS.md and its
 * charts, also when run alone (`--case 7`, optionally `--server emulator|peer --variant sliding`).
 * Case 10 (a multi-day load on both servers, see multi-day-table.ts) gives rows here and writes
 * its own section and charts too (`--case 10`, optionally `--server emulator|peer`).
 * Case 11 (reading PX back on both servers, see read-back-table.ts) likewise (`--case 11`).
 */
import type { BenchRow } from './bench-row.js';
import { arg } from './case-args.js';
import { runLimiterCases } from './limiter-table.js';
import { type MultiDayResult, multiDayTargets, runMultiDay } from './multi-day-table.js';
import { readBackRows, runReadBack } from './read-back-table.js';
import { writeSection } from './results-file.js';
import { machine, runCase } from './util.js';

const smoke = process.argv.includes('--smoke');
const only = arg('case', '');

type Row = BenchRow;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

type Local = {
  rows: number;
  csv: { raw: number; pxstream: number; ratio: number };
  jsonl: { raw: number; pxstream: number; ratio: number };
  accounted: boolean;
};
type Memory = {
  small: { rows: number; peakRssMb: number };
  large: { rows: number; peakRssMb: number };
  ratio: number;
  accounted: boolean;
};
type SinkMemory = {
  small: { rows: number; peakRssMb: number; requestsPerSecond: number };
  large: {
    rows: number;
    peakRssMb: number;
    requestsPerSecond: number;
    firstHalfPeakMb: number;
    secondHalfPeakMb: number;
  };
  ratio: number;
  growth: number;
  accounted: boolean;
};
type Load = {
  rows: number;
  requestsPerSecond: number;
  share429: number;
  http429: number;
  everyRowLanded: boolean;
  duplicates: number;
  accounted: boolean;
  retries: number;
};
type CliDryRun = {
  rows: number;
  raw: { rowsPerSecond: number; sys: number; walls: number[] };
  devNull: { rowsPerSecond: number; sys: number; walls: number[] };
  pipe: { rowsPerSecond: number; sys: number; walls: number[] };
  ratioDevNull: number;
  ratioPipe: number;
  medianRatioDevNull: number;
  medianRatioPipe: number;
  accounted: boolean;
};
type EventRetention = {
  days: number;
  perDay: number;
  events: number;
  buildSeconds: number;
  entries: number;
  bytesPerEntry: number;
  load: { peakRssMb: number; seconds: number; inserted: number; expired: number };
  rerun: { peakRssMb: number; inserted: number; skipped: number };
  entriesAfter: number;
  bytesPerEntryAfter: number;
  memoryBytesPerEntry: number;
  accounted: boolean;
};
type Sync = {
  rows: number;
  changedRows: number;
  day1: { bytesPerId: number };
  dryRun: { rowsPerSecond: number; peakRssMb: number };
  plan: { rowsPerSecond: number; peakRssMb: number };
  localRatio: number;
  load: { peakRssMb: number; requests: number; unchanged: number };
  bytesPerIdAfter: number;
  accounted: boolean;
};
type Peer = {
  rows: number;
  peerRowsPerSecond: number;
  pxstreamRowsPerSecond: number;
  speedUp: number;
  accounted: boolean;
};

const cases: Record<string, () => Promise<Row[]>> = {
  async 1() {
    const r = await runCase<Local>('local-speed.ts', [
      '--rows',
      smoke ? '2000' : '1000000',
      '--rounds',
      smoke ? '1' : '5',
    ]);
    return [
      {
        case: '1 local speed',
        metric: `CSV rows/s (${fmt(r.rows)} rows)`,
        value: fmt(r.csv.pxstream),
        baseline: `${fmt(r.csv.raw)} csv-parse columns:true`,
        ratio: fmt(r.csv.ratio, 2),
        target: '>= 1.00',
        pass: r.accounted && r.csv.ratio >= 1,
      },
      {
        case: '1 local speed',
        metric: `JSON-lines rows/s (${fmt(r.rows)} rows)`,
        value: fmt(r.jsonl.pxstream),
        baseline: `${fmt(r.jsonl.raw)} stream-json jsonl`,
        ratio: fmt(r.jsonl.ratio, 2),
        target: '>= 0.90',
        pass: r.accounted && r.jsonl.ratio >= 0.9,
      },
    ];
  },
  async 2() {
    const r = await runCase<Memory>('memory.ts', ['--rows', smoke ? '2000' : '1000000', '--factor', '10']);
    return [
      {
        case: '2 flat memory',
        metric: `peak RSS, dry run, ${fmt(r.large.rows)} rows`,
        value: `${fmt(r.large.peakRssMb)} MB`,
        baseline: `${fmt(r.small.peakRssMb)} MB at ${fmt(r.small.rows)} rows`,
        ratio: fmt(r.ratio, 2),
        target: '<= 150 MB, ratio <= 1.2',
        pass: r.accounted && r.large.peakRssMb <= 150 && r.small.peakRssMb <= 150 && r.ratio <= 1.2,
      },
    ];
  },
  async '2b'() {
    const r = await runCase<SinkMemory>('sink-memory.ts', [
      '--rows',
      smoke ? '500' : '200000',
      '--factor',
      smoke ? '2' : '5',
    ]);
    return [
      {
        case: '2b flat memory, real load',
        metric: `peak RSS, PX sink at ${fmt(r.large.requestsPerSecond)} req/s, ${fmt(r.large.rows)} rows`,
        value: `${fmt(r.large.peakRssMb)} MB`,
        baseline: `${fmt(r.small.peakRssMb)} MB at ${fmt(r.small.rows)} rows`,
        ratio: fmt(r.ratio, 2),
        target: 'ratio <= 1.2',
        pass: r.accounted && r.ratio <= 1.2,
      },
      {
        case: '2b flat memory, real load',
        metric: `RSS peak, 2nd half of the ${fmt(r.large.rows)}-row run vs 1st half`,
        value: `${fmt(r.large.secondHalfPeakMb)} MB`,
        baseline: `${fmt(r.large.firstHalfPeakMb)} MB`,
        ratio: fmt(r.growth, 2),
        target: '<= 1.10',
        pass: r.accounted && r.growth <= 1.1,
      },
    ];
  },
  async 3() {
    const r = await runCase<Load>('load.ts', [
      '--rows',
      smoke ? '300' : '20000',
      '--rate',
      '200',
      '--emulator',
      '--rate 200 --latency 40',
    ]);
    return [
      {
        case: '3 rate budget',
        metric: `requests/s, PX limit 200/s, 40 ms latency, ${fmt(r.rows)} rows`,
        value: fmt(r.requestsPerSecond, 1),
        baseline: '200 (PX limit)',
        ratio: fmt(r.requestsPerSecond / 200, 2),
        target: '>= 0.95',
        pass: r.accounted && r.everyRowLanded && r.requestsPerSecond >= 190,
      },
      {
        case: '3 rate budget',
        metric: '429 share of requests',
        value: `${fmt(r.share429 * 100, 2)} % (${r.http429})`,
        baseline: '',
        ratio: '',
        target: '<= 1 %',
        pass: r.share429 <= 0.01,
      },
    ];
  },
  async 4() {
    const r = await runCase<Load>('load.ts', [
      '--rows',
      smoke ? '300' : '20000',
      '--rate',
      '100000',
      '--emulator',
      '--no-rate-limit',
    ]);
    return [
      {
        case: '4 client headroom',
        metric: `requests/s, no limit, no latency, ${fmt(r.rows)} rows`,
        value: fmt(r.requestsPerSecond),
        baseline: '200 (PX limit)',
        ratio: fmt(r.requestsPerSecond / 200, 1),
        target: '>= 2,000/s',
        pass: r.accounted && r.everyRowLanded && r.requestsPerSecond >= 2000,
      },
    ];
  },
  async 5() {
    const r = await runCase<Peer>('peer.ts', [
      '--rows',
      smoke ? '40' : '600',
      '--emulator',
      '--rate 200 --latency 40',
    ]);
    return [
      {
        case: '5 peer',
        metric: `rows/s vs a sequential loader (${fmt(r.rows)} rows)`,
        value: fmt(r.pxstreamRowsPerSecond, 1),
        baseline: `${fmt(r.peerRowsPerSecond, 1)} sequential`,
        ratio: `${fmt(r.speedUp, 1)}x`,
        target: 'speed-up',
        pass: r.accounted && r.speedUp > 1,
      },
    ];
  },
  async 6() {
    const faults = '--fault-server-error 0.025 --fault-reset-after 0.025 --seed 6';
    const r = await runCase<Load>('load.ts', [
      '--rows',
      smoke ? '300' : '20000',
      '--rate',
      '200',
      '--emulator',
      `--rate 200 --latency 40 ${faults}`,
    ]);
    return [
      {
        case: '6 faults under load',
        metric: `5% faults (5xx, reset after write), ${fmt(r.rows)} rows`,
        value: `${fmt(r.requestsPerSecond, 1)} req/s, ${r.retries} retries`,
        baseline: '',
        ratio: '',
        target: 'all landed, 0 duplicates',
        pass: r.accounted && r.everyRowLanded && r.duplicates === 0,
      },
    ];
  },
  async 8() {
    const r = await runCase<CliDryRun>('cli-dry-run.ts', [
      '--rows',
      smoke ? '2000' : '1000000',
      '--rounds',
      smoke ? '1' : '5',
    ]);
    const spread = (walls: number[]) => `${walls.map((w) => w.toFixed(2)).join(' / ')} s`;
    return [
      {
        case: '8 CLI dry run',
        metric: `pxstream --dry-run > /dev/null, ${fmt(r.rows)} rows (sys ${r.devNull.sys.toFixed(2)} s; rounds ${spread(r.devNull.walls)})`,
        value: `${fmt(r.devNull.rowsPerSecond)} rows/s`,
        baseline: `${fmt(r.raw.rowsPerSecond)} csv-parse columns:true (sys ${r.raw.sys.toFixed(2)} s)`,
        ratio: `${fmt(r.ratioDevNull, 2)} (median ${fmt(r.medianRatioDevNull, 2)})`,
        target: '>= 1.20',
        pass: r.accounted && r.ratioDevNull >= 1.2,
      },
      {
        case: '8 CLI dry run',
        metric: `pxstream --dry-run | wc -l, ${fmt(r.rows)} rows (sys ${r.pipe.sys.toFixed(2)} s; rounds ${spread(r.pipe.walls)})`,
        value: `${fmt(r.pipe.rowsPerSecond)} rows/s`,
        baseline: `${fmt(r.raw.rowsPerSecond)} csv-parse columns:true`,
        ratio: `${fmt(r.ratioPipe, 2)} (median ${fmt(r.medianRatioPipe, 2)})`,
        target: '>= 1.00',
        pass: r.accounted && r.ratioPipe >= 1,
      },
    ];
  },
  async 9() {
    const r = await runCase<Sync>('ledger-sync.ts', [
      '--rows',
      smoke ? '3000' : '10000000',
      '--rounds',
      smoke ? '1' : '3',
    ]);
    return [
      {
        case: '9 incremental sync',
        metric: `local part (--plan: read, map, hash, look up), ${fmt(r.rows)} ids, 1% changed`,
        value: `${fmt(r.plan.rowsPerSecond)} rows/s`,
        baseline: `${fmt(r.dryRun.rowsPerSecond)} rows/s dry run, same file`,
        ratio: fmt(r.localRatio, 2),
        target: '>= 0.50',
        pass: r.accounted && r.localRatio >= 0.5,
      },
      {
        case: '9 incremental sync',
        metric: `peak RSS, --changed-only load of ${fmt(r.rows)} ids (--plan: ${fmt(r.plan.peakRssMb)} MB)`,
        value: `${fmt(r.load.peakRssMb)} MB`,
        baseline: `${fmt(r.dryRun.peakRssMb)} MB dry run`,
        ratio: '',
        target: '<= 250 MB',
        pass: r.accounted && r.load.peakRssMb <= 250 && r.plan.peakRssMb <= 250,
      },
      {
        case: '9 incremental sync',
        metric: 'ledger on disk per id (after day 1; after day 2)',
        value: `${fmt(r.day1.bytesPerId, 1)} B; ${fmt(r.bytesPerIdAfter, 1)} B`,
        baseline: '',
        ratio: '',
        target: '<= 64 B',
        pass: r.day1.bytesPerId <= 64 && r.bytesPerIdAfter <= 64,
      },
      {
        case: '9 incremental sync',
        metric: `requests of the day-2 load (${fmt(r.changedRows)} rows changed)`,
        value: fmt(r.load.requests),
        baseline: `${fmt(r.load.unchanged)} rows skipped unchanged`,
        ratio: '',
        target: 'the changed rows only',
        pass: r.accounted && r.load.requests <= r.changedRows + 1,
      },
    ];
  },
  async 10() {
    const results = await runMultiDay({ smoke, server: arg('server', '') });
    return results.flatMap(multiDayRows);
  },
  async 11() {
    const results = await runReadBack({ smoke, server: arg('server', '') });
    return results.flatMap(readBackRows);
  },
  async 12() {
    const r = await runCase<EventRetention>('event-retention.ts', [
      '--per-day',
      smoke ? '2000' : '1000000',
      '--events',
      smoke ? '200' : '2000',
    ]);
    return [
      {
        case: '12 events ledger',
        metric: `peak RSS, a load of ${fmt(r.events)} events with a ledger of ${fmt(r.entries)} identities (${r.days} days x ${fmt(r.perDay)}; rerun ${fmt(r.rerun.peakRssMb)} MB)`,
        value: `${fmt(r.load.peakRssMb)} MB`,
        baseline: '',
        ratio: '',
        target: '<= 450 MB',
        pass: r.accounted && r.load.peakRssMb <= 450 && r.rerun.peakRssMb <= 450,
      },
      {
        case: '12 events ledger',
        metric: `ledger on disk per identity (before the load; after); in memory ${fmt(r.memoryBytesPerEntry, 1)} B`,
        value: `${fmt(r.bytesPerEntry, 1)} B; ${fmt(r.bytesPerEntryAfter, 1)} B`,
        baseline: '',
        ratio: '',
        target: '<= 64 B',
        pass: r.bytesPerEntry <= 64 && r.bytesPerEntryAfter <= 64,
      },
      {
        case: '12 events ledger',
        metric: `identities the day-${r.days + 1} load forgot (day 1's); rerun sent ${fmt(r.rerun.inserted)}`,
        value: fmt(r.load.expired),
        baseline: `${fmt(r.perDay)} recorded on day 1`,
        ratio: '',
        target: "day 1's, no other",
        pass: r.accounted,
      },
    ];
  },
};

const rows: Row[] = [];
// Case 7 (budget against every limiter, both servers) writes its own table and charts.
if (only === '7') {
  await runLimiterCases({ smoke, server: arg('server', ''), variant: arg('variant', '') });
  process.exit(0);
}
// Numeric keys would come first in an object's own order: run the cases in this one.
for (const name of ['1', '2', '2b', '3', '4', '5', '6', '8', '9', '10', '11', '12']) {
  const run = cases[name] as () => Promise<Row[]>;
  if (only && only !== name) continue;
  process.stderr.write(`case ${name}...\n`);
  rows.push(...(await run()));
}

const header =
  '| case | metric | pxstream | baseline | ratio | target | |\n| --- | --- | --- | --- | --- | --- | --- |';
const table = [
  header,
  ...rows.map(
    (r) =>
      `| ${r.case} | ${r.metric} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.target} | ${r.pass ? 'met' : '**missed**'} |`,
  ),
].join('\n');
process.stdout.write(`${table}\n`);
if (!smoke && !only) await writeResults(table);
if (!only) await runLimiterCases({ smoke, server: '', variant: '' });

/** Case 10's rows, one run on one server: each of the issue's figures against its target. */
function multiDayRows(r: MultiDayResult): Row[] {
  const met = multiDayTargets(r);
  const name = `10 multi-day, ${r.server}`;
  const wait = r.outageWait;
  return [
    {
      case: name,
      metric: `${fmt(r.rows)} users, half new, -i; quota ${fmt(r.quota)} a ${r.daySec} s day (plain 429), PX ${r.limit}/s, down ${r.outage.forSec} s (${r.outage.kind}) from mid-day 1`,
      value: r.exact ? 'every row exact' : `${r.wrong} rows wrong`,
      baseline: `${r.rejected} rejected, ${r.oneRun ? 'one run' : 'did not finish'}`,
      ratio: '',
      target: 'exact, none rejected, no --resume',
      pass: met.exact,
    },
    {
      case: name,
      metric: 'requests PX admitted per row (writes, pre-flight, read-backs)',
      value: fmt(r.writesPerRow, 3),
      baseline: `${fmt(r.admitted)} requests`,
      ratio: '',
      target: '<= 1.05',
      pass: met.writes,
    },
    {
      case: name,
      metric: `quota days with requests admitted (days ${r.daysUsed.join(', ')})`,
      value: String(r.daysUsed.length),
      baseline: `ceil(${fmt(r.admitted)} / ${fmt(r.quota)}) = ${r.daysTarget}`,
      ratio: '',
      target: '= ceil(requests / quota)',
      pass: met.days,
    },
    {
      case: name,
      metric: 'wall time vs days x day length + the outage',
      value: `${fmt(r.seconds, 1)} s`,
      baseline: `${fmt(r.formulaSec)} s (an ideal client: ${fmt(r.idealSec, 1)} s, ${fmt(r.idealRatio, 2)}x)`,
      ratio: fmt(r.formulaRatio, 2),
      target: 'within 10%',
      pass: met.formula,
    },
    {
      case: name,
      metric: `requests while PX was down (after the wait began${wait?.probes !== undefined ? `: ${wait.probes} probes` : ''})`,
      value: `${r.whileDown.total} (${r.whileDown.afterWaitBegan})`,
      baseline: `at most ${r.whileDown.mostInASecondAfter} a second once waiting`,
      ratio: '',
      target: 'a probe at a time, <= 300',
      pass: met.probes,
    },
  ];
}

/** The table into bench/RESULTS.md between its markers, keeping the notes around them. */
async function writeResults(table: string): Promise<void> {
  const generated = `${new Date().toISOString().slice(0, 10)}, ${machine()}.\nCommand: \`pnpm bench\` (each case in its own process, baselines in the same run).\n\n${table}`;
  await writeSection('results', generated, 'Results');
}
