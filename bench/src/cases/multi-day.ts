/**
 * Case 10 (issue 24): a load that needs several days of PX's quota, with an outage on the way.
 * 20,000 users, the first half in PX already (a first load stopped half way, run again without
 * `--resume`), the rest new, `--insert-missing`; a quota of 6,000 requests a day with days of
 * 30 s, spent with PX's plain 429 `Rate limit exceeded`; PX down for 60 s from the middle of
 * day 1. The load runs in this process through `load()`, once, to the end.
 *
 * PX's per-second limit is 400/s here, with pxstream at --rate 400: at PX's documented 200/s a
 * 30 s day holds exactly 6,000 requests, so the quota would never be spent and no day would
 * wait. At 400/s a day's quota goes in about 15 s and PX answers 429 for the other 15, as a
 * real day's 1,000,000 go in under two hours at 150/s and PX refuses for the rest of the day.
 *
 * The outage is started by the bench from the control plane at a set time, the middle of day 1
 * on the server's clock (45 s after day 0 began), not with `--outage-after <requests>`: the
 * requests PX receives (429s included) depend on the client's pacing, so a count would not land
 * in the middle of a day, nor at the same time on both servers.
 *
 *   --server emulator|peer   which PX (the peer: bench/src/peer-px, written from px-api.md only)
 *   --rows <n>, --quota <n>, --day-length <s>, --limit <n> (PX per second), --rate <n> (pxstream)
 *   --latency <ms>, --outage-for <s>, --outage-kind 503|reset
 *   --outage-day <n>         the outage starts in the middle of the load's day n (0: the day it
 *                            starts in; default 1)
 *   --chart <file>           writes the SVG chart there
 *
 * Figures, each from the server's own counts: every row exact, none rejected, one run;
 * requests PX admitted per row (every admitted request: writes, the pre-flight read, any
 * read-back); the quota days with admitted requests against ceil(admitted / quota); the wall
 * time against the days × day length + the outage, and against an ideal client (one
 * sending at PX's limit whenever the quota and PX allow); the requests PX refused while down,
 * and how many reached it after the load's wait began (one probe at a time: at most 1 a second).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arg, report } from '../case-args.js';
import { renderChart, type Series } from '../chart.js';
import { checkUsers, dryRunBodies } from '../exact-users.js';
import { generate } from '../generate.js';
import { type LoadProgress, load } from '../load-api.js';
import { daysUsed, idealEndSec, whileDown } from '../multi-day-figures.js';
import { type OutageKind, type ServerKind, type ServerSecond, startServer } from '../servers.js';
import { benchConfig, scratch } from '../util.js';

const server = arg('server', 'emulator') as ServerKind;
const rows = Number(arg('rows', '20000'));
const quota = Number(arg('quota', '6000'));
const daySec = Number(arg('day-length', '30'));
const limit = Number(arg('limit', '400'));
const rate = Number(arg('rate', '400'));
const latencyMs = Number(arg('latency', '40'));
const outageFor = Number(arg('outage-for', '60'));
const outageKind = arg('outage-kind', '503') as OutageKind;
const outageDay = Number(arg('outage-day', '1'));
const chartPath = arg('chart', '');
const PRODUCT_KEYS = ['AP-DEMO00000000-2'];

interface Wait {
  beganSec: number;
  endedSec: number | undefined;
  probes: number | undefined;
}

const { dir, cleanup } = await scratch();
// No ledger of a real target is read or written: the state stays in the scratch directory.
process.env.PXSTREAM_LEDGER_DIR = join(dir, 'ledgers');
// The file and the bodies first (a dry run sends nothing): the server's day 0 starts with its
// process, and the load as soon after as it can.
const input = join(dir, 'users.csv');
await generate({ type: 'USER', format: 'csv', rows, out: input, prefix: 'md' });
const expected = await dryRunBodies(await benchConfig(dir, 'http://127.0.0.1:9/v1'), input, dir);
const px = await startServer(server, {
  rate: limit,
  shape: 'bucket',
  latencyMs,
  dailyQuota: quota,
  dayLengthSec: daySec,
});
let outageTimer: NodeJS.Timeout | undefined;
try {
  const existing = new Set(Array.from({ length: Math.floor(rows / 2) }, (_, i) => `md-${i}`));
  await px.seedUsers([...existing], PRODUCT_KEYS);
  const config = await benchConfig(dir, px.baseUrl);

  const origin = await px.origin();
  const sec = (wall: number) => (wall - origin) / 1000;
  // The outage, from the middle of the load's day `outageDay` (0: the day it starts in) on the
  // server's clock.
  const outage = { fromSec: Number.NaN, toSec: Number.NaN };
  const firstDay = Math.floor(sec(Date.now()) / daySec);
  const outageAt = origin + (firstDay + outageDay + 0.5) * daySec * 1000;
  let outageError: unknown;
  outageTimer = setTimeout(
    () => {
      const asked = Date.now();
      px.outage(outageFor, outageKind).then(
        () => {
          outage.fromSec = sec((asked + Date.now()) / 2);
          outage.toSec = outage.fromSec + outageFor;
        },
        (error: unknown) => {
          outageError = error;
        },
      );
    },
    Math.max(0, outageAt - Date.now()),
  );

  const before = await px.stats();
  const samples: Array<{ sec: number; rate: number }> = [];
  const waits: Wait[] = [];
  const startWall = Date.now();
  const result = await load({
    config,
    type: 'USER',
    input,
    insertMissing: true,
    rate,
    rejects: false,
    checkpoint: false,
    cwd: dir,
    progressIntervalMs: 250,
    onProgress: (p: LoadProgress) => samples.push({ sec: sec(Date.now()), rate: p.currentRate ?? rate }),
    onLog: (entry) => {
      if (entry.code === 'PX_WAIT_START') {
        waits.push({ beganSec: sec(Date.now()), endedSec: undefined, probes: undefined });
      } else if (entry.code === 'PX_WAIT_END') {
        const wait = waits.at(-1);
        if (!wait) return;
        wait.endedSec = sec(Date.now());
        wait.probes = Number(/\((\d+) probes?\)/.exec(entry.message)?.[1] ?? Number.NaN);
      }
    },
  });
  const endWall = Date.now();
  clearTimeout(outageTimer);
  if (outageError !== undefined) throw outageError;
  const outageLanded = !Number.isNaN(outage.fromSec);
  if (!outageLanded) process.stderr.write('multi-day: the load ended before the outage began\n');
  const after = await px.stats();
  const startSec = sec(startWall);
  const endSec = sec(endWall);
  const inRun = (await px.timeline()).filter((s) => s.second >= Math.floor(startSec) && s.second <= endSec);
  const check = await checkUsers(px, expected, existing, PRODUCT_KEYS);

  const refusedDown = after.whileDown - before.whileDown;
  const http429 = after.rateLimited - before.rateLimited;
  // Every request PX let through used the day's quota: writes, the pre-flight, any read-back.
  const admitted = after.requests - before.requests - http429 - refusedDown;
  const days = daysUsed(inRun, daySec);
  const daysTarget = Math.ceil(admitted / quota);
  const seconds = endSec - startSec;
  const formulaSec = daysTarget * daySec + outageFor;
  const window = outageLanded
    ? outage
    : { fromSec: Number.POSITIVE_INFINITY, toSec: Number.POSITIVE_INFINITY };
  const idealSec = idealEndSec({ quota, daySec, perSecond: limit }, startSec, window, admitted) - startSec;
  // The load's wait for the outage: the one that began while PX was down.
  const outageWait = waits.find((w) => w.beganSec >= window.fromSec && w.beganSec <= window.toSec);
  const down = whileDown(inRun, outageWait?.beganSec);
  const admittedIn = (from: number, to: number) =>
    inRun.filter((s) => s.second >= from && s.second < to).map((s) => s.admitted);
  const perDay = days.map((day) => admittedIn(day * daySec, (day + 1) * daySec).reduce((a, b) => a + b, 0));
  // How fast the load went again once PX was back: requests admitted a second after the wait.
  const resumed = outageWait?.endedSec;
  const afterWait = resumed === undefined ? [] : admittedIn(Math.floor(resumed), Math.floor(resumed) + 15);
  if (chartPath) await writeFile(chartPath, chart(inRun, samples, waits, window, startSec, endSec));

  report({
    server,
    rows,
    existing: existing.size,
    quota,
    daySec,
    limit,
    rate,
    latencyMs,
    outage: { kind: outageKind, forSec: outageFor, fromSec: outage.fromSec, toSec: outage.toSec },
    startSec,
    seconds,
    requests: result.requests,
    admitted,
    http429,
    writesPerRow: admitted / rows,
    daysUsed: days,
    perDay,
    daysTarget,
    formulaSec,
    formulaRatio: seconds / formulaSec,
    idealSec,
    idealRatio: seconds / idealSec,
    whileDown: { ...down, total: refusedDown },
    waits,
    outageWait: outageWait ?? null,
    // From PX's return to the end of the load's wait (its first success).
    backAfterSec: outageWait?.endedSec === undefined ? null : outageWait.endedSec - window.toSec,
    afterWait,
    waitsReported: result.waits,
    waitedMs: result.waitedMs,
    updated: result.rows.updated,
    inserted: result.rows.inserted,
    rejected: result.rows.rejected,
    oneRun: result.complete && result.error === null && !result.interrupted,
    exact: check.wrong === 0 && check.extra === 0 && check.duplicateRecords === 0 && expected.size === rows,
    wrong: check.wrong,
    duplicateCreates: after.createdUsers - before.createdUsers - result.rows.inserted,
    accounted:
      outageLanded &&
      result.rows.read === rows &&
      result.rows.notSent === 0 &&
      result.rows.updated === existing.size &&
      result.rows.inserted === rows - existing.size &&
      check.users === rows,
  });
} finally {
  clearTimeout(outageTimer);
  await px.close();
  await cleanup();
}

/**
 * Requests per second over the run on the server's clock (0: quota day 0 began): admitted,
 * 429s (a spent quota, a rate cut), refused while PX was down; pxstream's limit; the load's
 * waits for PX shaded, and the day turns.
 */
function chart(
  seconds: ServerSecond[],
  samples: Array<{ sec: number; rate: number }>,
  waits: Wait[],
  outage: { fromSec: number; toSec: number },
  startSec: number,
  endSec: number,
): string {
  const mid = (s: ServerSecond) => s.second + 0.5;
  const waitSeconds: Array<[number, number]> = [];
  for (const wait of waits) {
    for (let s = Math.floor(wait.beganSec); s < (wait.endedSec ?? endSec); s++)
      waitSeconds.push([s + 0.5, limit]);
  }
  const turns: Array<[number, number]> = [];
  for (let day = daySec; day < endSec; day += daySec) turns.push([day, 0], [day, limit], [day, 0]);
  const series: Series[] = [
    { label: 'load waiting for PX', color: '#d9dee8', bars: true, points: waitSeconds },
    { label: 'day turns', color: '#999', dashed: true, points: turns },
    { label: '429s/s', color: '#d62728', bars: true, points: seconds.map((s) => [mid(s), s.http429]) },
    {
      label: 'refused, PX down/s',
      color: '#9467bd',
      bars: true,
      points: seconds.map((s) => [mid(s), s.down]),
    },
    { label: 'admitted/s', color: '#1f77b4', points: seconds.map((s) => [mid(s), s.admitted]) },
    { label: "pxstream's limit", color: '#ff7f0e', step: true, points: samples.map((s) => [s.sec, s.rate]) },
  ];
  const down = Number.isFinite(outage.fromSec)
    ? `, PX down (${outageKind}) ${outage.fromSec.toFixed(0)}-${outage.toSec.toFixed(0)} s`
    : '';
  return renderChart({
    title: `Multi-day load against the ${server === 'peer' ? 'peer PX server' : 'emulator'}: quota ${quota.toLocaleString('en-US')} a ${daySec} s day${down}`,
    subtitle: `${rows.toLocaleString('en-US')} users (half new, --insert-missing), PX limit ${limit}/s, pxstream --rate ${rate}; load from ${startSec.toFixed(1)} s to ${endSec.toFixed(1)} s`,
    xLabel: 'seconds since quota day 0 began (server clock)',
    yLabel: 'requests per second',
    rules: [{ y: limit, label: `PX limit ${limit}/s`, color: '#888' }],
    series,
  });
}
