/**
 * Case 10 (issue 24): the multi-day load on both PX servers, each in its own process
 * (`cases/multi-day.ts`). Each run's chart goes to bench/charts/multi-day-<server>.svg, and the
 * table to bench/RESULTS.md between `<!-- multi-day:start -->` and `<!-- multi-day:end -->`.
 * `--smoke`: a few hundred rows, days of 2 s, an outage of 2 s; nothing written.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeSection } from './results-file.js';
import { machine, ROOT, runCase } from './util.js';

export interface MultiDayResult {
  server: string;
  rows: number;
  quota: number;
  daySec: number;
  limit: number;
  rate: number;
  outage: { kind: string; forSec: number; fromSec: number; toSec: number };
  seconds: number;
  admitted: number;
  http429: number;
  writesPerRow: number;
  daysUsed: number[];
  /** Requests admitted in each of `daysUsed`. */
  perDay: number[];
  /** Requests admitted a second in the 15 s after the wait for the outage ended. */
  afterWait: number[];
  /** When the load started on the server's clock (0: day 0 began). */
  startSec: number;
  daysTarget: number;
  formulaSec: number;
  formulaRatio: number;
  idealSec: number;
  idealRatio: number;
  whileDown: { total: number; afterWaitBegan: number; mostInASecondAfter: number };
  outageWait: { beganSec: number; endedSec: number | undefined; probes: number | undefined } | null;
  backAfterSec: number | null;
  waitsReported: number;
  rejected: number;
  oneRun: boolean;
  exact: boolean;
  wrong: number;
  duplicateCreates: number;
  accounted: boolean;
}

/** The issue's targets, each met or not. */
export function multiDayTargets(r: MultiDayResult) {
  return {
    exact: r.exact && r.accounted && r.oneRun && r.rejected === 0 && r.duplicateCreates === 0,
    writes: r.writesPerRow <= 1.05,
    days: r.daysUsed.length === r.daysTarget,
    // "Within 10% of days × day length plus the outage."
    formula: Math.abs(r.formulaRatio - 1) <= 0.1,
    // One probe at a time once the load waits; the issue's part 1: <= 300 while PX is down.
    probes: r.whileDown.mostInASecondAfter <= 1 && r.whileDown.total <= 300,
  };
}

const SMOKE = ['--rows', '300', '--quota', '100', '--day-length', '2', '--outage-for', '2'];

export async function runMultiDay(options: { smoke: boolean; server: string }): Promise<MultiDayResult[]> {
  const results: MultiDayResult[] = [];
  const load: number[] = [];
  for (const server of ['emulator', 'peer']) {
    if (options.server && options.server !== server) continue;
    process.stderr.write(`case 10, ${server}...\n`);
    const args = ['--server', server, ...(options.smoke ? SMOKE : [])];
    if (!options.smoke) args.push('--chart', join(ROOT, 'bench/charts', `multi-day-${server}.svg`));
    load.push(loadavg()[0]!);
    results.push(await runCase<MultiDayResult>('multi-day.ts', args));
    load.push(loadavg()[0]!);
  }
  if (!options.smoke && !options.server) {
    const loads = `load average ${fmt(Math.min(...load), 1)} to ${fmt(Math.max(...load), 1)} on the 2 cores`;
    await writeSection(
      'multi-day',
      `${new Date().toISOString().slice(0, 10)}, ${machine()}, ${loads}.\nCommand: \`pnpm bench --case 10\` (each server in its own process: \`bench/src/cases/multi-day.ts --server emulator|peer\`).\n\n${table(results)}`,
      'Multi-day loads (case 10, issue 24)',
    );
  }
  return results;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mark = (met: boolean) => (met ? 'met' : '**missed**');

function table(results: MultiDayResult[]): string {
  const header =
    '| server | every row exact, none rejected, one run | requests PX admitted per row (<= 1.05) | quota days used (= ceil(requests / quota)) | wall time vs days x day + outage (within 10%) | vs an ideal client (no target) | requests while PX was down (a probe at a time) | chart |\n| --- | --- | --- | --- | --- | --- | --- | --- |';
  const lines = results.map((r) => {
    const met = multiDayTargets(r);
    const wait = r.outageWait;
    return [
      '',
      r.server,
      `${r.exact ? 'yes' : `**no** (${r.wrong} wrong)`}: ${fmt(r.rows)} rows, ${r.rejected} rejected (${mark(met.exact)})`,
      `${fmt(r.writesPerRow, 3)} (${fmt(r.admitted)}) (${mark(met.writes)})`,
      `${r.daysUsed.length} (days ${r.daysUsed.join(', ')}) for ceil(${fmt(r.admitted)} / ${fmt(r.quota)}) = ${r.daysTarget} (${mark(met.days)})`,
      `${fmt(r.seconds, 1)} s vs ${fmt(r.formulaSec)} s: ${fmt(r.formulaRatio, 2)} (${mark(met.formula)})`,
      `${fmt(r.idealSec, 1)} s: ${fmt(r.idealRatio, 2)}x (the formula gives it ${fmt(r.idealSec / r.formulaSec, 2)})`,
      `${r.whileDown.total}; ${r.whileDown.afterWaitBegan} after the wait began, at most ${r.whileDown.mostInASecondAfter} a second${wait?.probes !== undefined ? ` (${wait.probes} probes)` : ''}; back ${r.backAfterSec === null ? '?' : `${fmt(r.backAfterSec, 1)} s`} after PX (${mark(met.probes)})`,
      `[chart](charts/multi-day-${r.server}.svg)`,
      '',
    ].join(' | ');
  });
  const days = results.map(
    (r) =>
      `| ${r.server} | ${fmt(r.startSec, 1)} s | ${r.daysUsed.map((day, i) => `${day}: ${fmt(r.perDay[i] ?? 0)}`).join('; ')} | ${fmt(r.http429)} | ${fmt(r.outage.fromSec, 1)}-${fmt(r.outage.toSec, 1)} s, waited ${r.outageWait ? `${fmt(r.outageWait.beganSec, 1)}-${fmt(r.outageWait.endedSec ?? Number.NaN, 1)} s` : '?'} | ${r.afterWait.join(', ')} |`,
  );
  const dayHeader =
    '| server | load started | requests admitted per quota day | 429s | PX down; the load waiting | admitted a second after the wait |\n| --- | --- | --- | --- | --- | --- |';
  return `${header}\n${lines.map((l) => l.trim()).join('\n')}\n\n${dayHeader}\n${days.join('\n')}`;
}
