/**
 * Case 7: pxstream's share of PX's budget against every limiter shape, a PX far away (400 ms
 * and 1 s answers), a second client and faults with throttles, on two PX servers (the emulator, and the peer written from px-api.md
 * alone). Each variant runs on its own (`cases/limiter.ts`, its own process); the table goes to
 * bench/RESULTS.md between `<!-- limiters:start -->` and `<!-- limiters:end -->`, and each
 * variant's chart to bench/charts/<server>-<variant>.svg.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { machine, ROOT, runCase } from './util.js';

interface Variant {
  name: string;
  what: string;
  args: string[];
  /** The smoke run's arguments; none: the smoke run leaves the variant out. */
  smokeArgs?: string[];
  /** The smoke run on this server only. */
  smokeServer?: string;
  target: string;
  met(r: Result): boolean;
}

interface Result {
  server: string;
  seconds: number;
  landedPerSecond: number;
  available: number;
  share: number;
  http429: number;
  share429: number;
  requests: number;
  retries: number;
  exact: boolean;
  accounted: boolean;
  duplicateCreates: number;
  wrong: number;
}

const shapeTarget = '>= 0.95x of 200, 429s <= 1%';
/** A token bucket 200/s, answers in `latency` ms plus up to a quarter more. */
const far = (latency: number, rows: string) => [
  ...['--shape', 'bucket', '--latency', String(latency), '--jitter', String(latency / 4)],
  ...['--rows', rows, '--rate', '200'],
];
const VARIANTS: Variant[] = [
  ...(['bucket', 'sliding', 'fixed'] as const).map(
    (shape): Variant => ({
      name: shape,
      what: `${shape === 'bucket' ? 'token bucket (burst 200)' : `${shape} window`} 200/s, 40 ms, --rate 200, 20,000 rows`,
      args: ['--shape', shape, '--rows', '20000', '--rate', '200'],
      smokeArgs: ['--shape', shape, '--rows', '300', '--rate', '200'],
      target: shapeTarget,
      met: (r) => r.share >= 0.95 && r.share429 <= 0.01,
    }),
  ),
  // Distance (issue 25): a PX far away answers in 400 ms or 1 s, each answer up to a quarter
  // later (--jitter); the requests in flight must follow the round trip, or the in-flight cap,
  // not PX's budget, sets the pace (50 in flight landed 0.60x and 0.24x of it). The smoke run
  // takes one short one (every second of it is a second of CI).
  ...([400, 1000] as const).map(
    (latency): Variant => ({
      name: `far-${latency}`,
      what: `token bucket (burst 200) 200/s, answers in ${latency.toLocaleString('en-US')} to ${(latency * 1.25).toLocaleString('en-US')} ms, --rate 200, 20,000 rows`,
      args: far(latency, '20000'),
      ...(latency === 1000 ? { smokeArgs: far(latency, '100'), smokeServer: 'emulator' } : {}),
      target: shapeTarget,
      met: (r) => r.share >= 0.95 && r.share429 <= 0.01,
    }),
  ),
  {
    name: 'other-client',
    what: 'sliding window 200/s, another client taking 100/s, 40 ms, --rate 200, 10,000 rows',
    args: ['--shape', 'sliding', '--other', '100', '--rows', '10000', '--rate', '200'],
    smokeArgs: ['--shape', 'sliding', '--other', '100', '--rows', '300', '--rate', '200'],
    target: '>= 0.85x of the 100 left, 429s <= 5%',
    met: (r) => r.share >= 0.85 && r.share429 <= 0.05,
  },
  {
    name: 'faults',
    what: '10% faults (2% throttles, Retry-After: 1; 3% 5xx; 2.5% resets before and after the write), bucket 200/s, 40 ms, --rate 400, 3,000 rows',
    args: ['--faults', '--shape', 'bucket', '--rows', '3000', '--rate', '400'],
    smokeArgs: ['--faults', '--shape', 'bucket', '--rows', '200', '--rate', '400'],
    target: 'every row exact, <= 150 s',
    met: (r) => r.seconds <= 150,
  },
];

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function runLimiterCases(options: {
  smoke: boolean;
  server: string;
  variant: string;
}): Promise<void> {
  const lines: string[] = [];
  const load: number[] = [];
  for (const server of ['emulator', 'peer']) {
    if (options.server && options.server !== server) continue;
    for (const variant of VARIANTS) {
      if (options.variant && options.variant !== variant.name) continue;
      if (options.smoke && (!variant.smokeArgs || (variant.smokeServer ?? server) !== server)) continue;
      process.stderr.write(`case 7, ${server}, ${variant.name}...\n`);
      const chart = join(ROOT, 'bench/charts', `${server}-${variant.name}.svg`);
      const args = ['--server', server, ...(options.smoke ? (variant.smokeArgs ?? []) : variant.args)];
      if (!options.smoke) args.push('--chart', chart);
      load.push(loadavg()[0]!);
      const r = await runCase<Result>('limiter.ts', args);
      load.push(loadavg()[0]!);
      const exact = r.exact && r.accounted && r.duplicateCreates === 0;
      const pass = exact && (options.smoke || variant.met(r));
      const chartLink = options.smoke ? '' : ` ([chart](charts/${server}-${variant.name}.svg))`;
      lines.push(
        `| ${server} | ${variant.what}${chartLink} | ${fmt(r.landedPerSecond, 1)} | ${fmt(r.share, 3)}x of ${r.available} | ${fmt(r.share429 * 100, 2)} % (${r.http429}) | ${fmt(r.seconds, 1)} s | ${exact ? 'yes' : `**no** (${r.wrong} wrong)`} | ${variant.target} | ${pass ? 'met' : '**missed**'} |`,
      );
      process.stderr.write(`${lines.at(-1)}\n`);
    }
  }
  const header =
    '| server | case | landed requests/s | share of the budget | 429s | time | every row exact | target | |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |';
  const table = `${header}\n${lines.join('\n')}`;
  process.stdout.write(`${table}\n`);
  if (options.smoke || options.server || options.variant) return;
  const loads = `load average ${fmt(Math.min(...load), 1)} to ${fmt(Math.max(...load), 1)} on the 2 cores during the run`;
  await writeSection(table, loads);
}

async function writeSection(table: string, loads: string): Promise<void> {
  const path = join(ROOT, 'bench/RESULTS.md');
  const start = '<!-- limiters:start -->';
  const end = '<!-- limiters:end -->';
  const generated = `${start}\n${new Date().toISOString().slice(0, 10)}, ${machine()}, ${loads}.\nCommand: \`pnpm bench --case 7\` (each row in its own process: \`bench/src/cases/limiter.ts\`).\n\n${table}\n${end}`;
  const current = await readFile(path, 'utf8');
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const text =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${generated}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n## Budget against every limiter (case 7)\n\n${generated}\n`;
  await writeFile(path, text);
}
