/**
 * Case 7: how much of PX's budget pxstream lands, on one PX server and limiter shape, with the
 * limit it holds over time. The load runs in this process through `load()` (its `onProgress`
 * gives pxstream's limit every 250 ms); the server runs in its own process and gives the
 * requests it admitted and the 429s it answered, per second. Half the ids exist beforehand
 * (updates: one PUT; the others PUT 404 then POST), every row goes with `--insert-missing`.
 *   --server emulator|peer   which PX (the peer: bench/src/peer-px, written from px-api.md only)
 *   --shape bucket|sliding|fixed, --limit <n>   the server's per-second limit
 *   --other <n>              another client of the key taking n requests/s
 *   --faults                 2% throttles (Retry-After: 1), 3% 5xx, 2.5% resets before and after the write
 *   --rows <n>, --rate <n>   rows, and pxstream's --rate
 *   --latency <ms>, --jitter <ms>   the server's answer time: latency plus a uniform [0, jitter)
 *   --concurrency <n>        pins pxstream's requests in flight (default: sized from the round trip)
 *   --chart <file>           writes the SVG chart there
 * Every user's record is compared with its row (the bodies of a dry run of the same file).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { arg, report } from '../case-args.js';
import { renderChart } from '../chart.js';
import { checkUsers, dryRunBodies } from '../exact-users.js';
import { generate } from '../generate.js';
import { type LoadProgress, load } from '../load-api.js';
import { type ServerKind, type Shape, startServer } from '../servers.js';
import { benchConfig, scratch } from '../util.js';

const server = arg('server', 'emulator') as ServerKind;
const shape = arg('shape', 'bucket') as Shape;
const limit = Number(arg('limit', '200'));
const other = Number(arg('other', '0'));
const faults = process.argv.includes('--faults');
const rows = Number(arg('rows', '20000'));
const rate = Number(arg('rate', '200'));
const latencyMs = Number(arg('latency', '40'));
const jitterMs = Number(arg('jitter', '0'));
const concurrency = arg('concurrency', '') === '' ? undefined : Number(arg('concurrency', ''));
const chartPath = arg('chart', '');
const PRODUCT_KEYS = ['AP-DEMO00000000-2'];

const { dir, cleanup } = await scratch();
const px = await startServer(server, {
  rate: limit,
  shape,
  latencyMs,
  ...(jitterMs > 0 ? { jitterMs } : {}),
  ...(other > 0 ? { other } : {}),
  ...(faults
    ? {
        throttle: 0.02,
        throttleRetryAfterSec: 1,
        serverError: 0.03,
        resetBefore: 0.025,
        resetAfter: 0.025,
        seed: 14,
      }
    : {}),
});
try {
  const input = join(dir, 'users.csv');
  await generate({ type: 'USER', format: 'csv', rows, out: input, prefix: 'lim' });
  const existing = new Set(Array.from({ length: Math.floor(rows / 2) }, (_, i) => `lim-${i * 2}`));
  await px.seedUsers([...existing], PRODUCT_KEYS);
  const config = await benchConfig(dir, px.baseUrl);
  const expected = await dryRunBodies(config, input, dir);

  const before = await px.stats();
  const samples: Array<{ wall: number; rate: number; requests: number; http429: number }> = [];
  const startWall = Date.now();
  const result = await load({
    config,
    type: 'USER',
    input,
    insertMissing: true,
    rate,
    ...(concurrency === undefined ? {} : { concurrency }),
    rejects: false,
    checkpoint: false,
    cwd: dir,
    progressIntervalMs: 250,
    onProgress: (p: LoadProgress) =>
      samples.push({
        wall: Date.now(),
        rate: p.currentRate ?? rate,
        requests: p.requests,
        http429: p.http429,
      }),
  });
  const endWall = Date.now();
  const after = await px.stats();
  const timeline = await px.timeline();

  // Every row exact: each user holds its row (on top of the seed for existing ones), nothing else.
  const { users, wrong, extra, duplicateRecords } = await checkUsers(px, expected, existing, PRODUCT_KEYS);

  const requests = after.requests - before.requests;
  const http429 = after.rateLimited - before.rateLimited;
  const landed = requests - http429;
  const seconds = (endWall - startWall) / 1000;
  if (chartPath) {
    await writeFile(chartPath, chart(samples, timeline, startWall, endWall));
  }
  report({
    server,
    shape,
    other,
    faults,
    rows,
    rate,
    limit,
    latencyMs,
    jitterMs,
    // The requests in flight pxstream allowed (the most of the run) and the round trip behind them.
    concurrency: result.concurrency,
    roundTripMs: result.roundTripMs,
    seconds,
    requests,
    landed,
    landedPerSecond: landed / seconds,
    available: limit - other,
    share: landed / seconds / (limit - other),
    http429,
    share429: http429 / requests,
    retries: result.retries,
    updated: result.rows.updated,
    inserted: result.rows.inserted,
    rejected: result.rows.rejected,
    exact: wrong === 0 && extra === 0 && duplicateRecords === 0 && expected.size === rows,
    wrong,
    extra,
    duplicateCreates: after.createdUsers - before.createdUsers - result.rows.inserted,
    accounted:
      result.rows.read === rows &&
      result.rows.notSent === 0 &&
      result.rows.updated + result.rows.inserted === rows &&
      result.rows.updated === existing.size &&
      users === existing.size + result.rows.inserted,
  });
} finally {
  await px.close();
  await cleanup();
}

function chart(
  samples: Array<{ wall: number; rate: number }>,
  timeline: Array<{ wallMs: number; admitted: number; http429: number; otherAdmitted: number }>,
  startWall: number,
  endWall: number,
): string {
  const inRun = timeline.filter((s) => s.wallMs + 1000 > startWall && s.wallMs < endWall);
  const x = (wall: number) => Math.max(0, (wall - startWall) / 1000);
  const latency = jitterMs ? `${latencyMs} to ${latencyMs + jitterMs}` : `${latencyMs}`;
  const what = faults
    ? `10% faults (2% throttles with Retry-After: 1), ${latency} ms latency`
    : `${shape} limit ${limit}/s${other ? `, another client taking ${other}/s` : ''}, ${latency} ms latency`;
  return renderChart({
    title: `pxstream against the ${server === 'peer' ? 'peer PX server' : 'emulator'}: ${what}`,
    subtitle: `${rows.toLocaleString('en-US')} rows (half new, --insert-missing), pxstream --rate ${rate}`,
    xLabel: 'seconds since the load started',
    yLabel: 'requests per second',
    rules: [
      { y: limit, label: `PX limit ${limit}/s`, color: '#888' },
      ...(other ? [{ y: limit - other, label: `left for pxstream ${limit - other}/s`, color: '#2a7' }] : []),
    ],
    series: [
      {
        label: 'requests/s admitted by PX',
        color: '#1f77b4',
        points: inRun.map((s) => [x(s.wallMs) + 0.5, s.admitted] as [number, number]),
      },
      {
        label: '429s/s',
        color: '#d62728',
        bars: true,
        points: inRun.map((s) => [x(s.wallMs) + 0.5, s.http429] as [number, number]),
      },
      ...(other
        ? [
            {
              label: 'other client admitted/s',
              color: '#2a7',
              dashed: true,
              points: inRun.map((s) => [x(s.wallMs) + 0.5, s.otherAdmitted] as [number, number]),
            },
          ]
        : []),
      {
        label: "pxstream's limit (requests/s)",
        color: '#ff7f0e',
        step: true,
        points: samples.map((s) => [x(s.wall), s.rate] as [number, number]),
      },
    ],
  });
}
