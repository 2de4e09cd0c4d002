// Temporary probe (deleted after): where an export's time per page goes.
import { join } from 'node:path';
import { generate } from './generate.js';
import { seedMappedUsers } from './seed-bodies.js';
import { startServer } from './servers.js';
import { BENCH_KEY, benchConfig, CLI, runNode, scratch } from './util.js';

const users = Number(process.argv[2] ?? '200000');
const kind = (process.argv[3] ?? 'emulator') as 'emulator' | 'peer';
const latency = Number(process.argv[4] ?? '0');
const { dir, cleanup } = await scratch();
const px = await startServer(kind, { rate: 100000, shape: kind === 'emulator' ? 'bucket' : 'sliding', latencyMs: latency });
try {
  const input = join(dir, 'u.csv');
  await generate({ type: 'USER', format: 'csv', rows: users, out: input });
  await seedMappedUsers(kind, px.baseUrl, input);
  // Raw pages: time to first byte vs whole body vs parse.
  const headers = { 'x-aptrinsic-api-key': BENCH_KEY };
  let url = `${px.baseUrl}/users?pageSize=1000&sort=identifyId`;
  let first = true;
  const t = { ttfb: 0, body: 0, parse: 0, pages: 0, bytes: 0, firstMs: 0 };
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  for (;;) {
    const a = performance.now();
    const res = await fetch(url, { headers });
    const b = performance.now();
    const text = await res.text();
    const c = performance.now();
    const page = JSON.parse(text) as { users: unknown[]; scrollId: string };
    const d = performance.now();
    if (first) { t.firstMs = d - a; first = false; } else { t.ttfb += b - a; t.body += c - b; t.parse += d - c; }
    t.pages++; t.bytes += text.length;
    if (page.users.length < 1000) break;
    url = `${px.baseUrl}/users?pageSize=1000&scrollId=${encodeURIComponent(page.scrollId)}`;
  }
  const wall = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const n = t.pages - 1;
  console.log(JSON.stringify({ kind, users, latency, pages: t.pages, wallMs: Math.round(wall), firstPageMs: Math.round(t.firstMs),
    perPage: { ttfb: +(t.ttfb / n).toFixed(1), body: +(t.body / n).toFixed(1), parse: +(t.parse / n).toFixed(1) },
    kbPerPage: Math.round(t.bytes / t.pages / 1024), clientCpuMsPerPage: +((cpu.user + cpu.system) / 1000 / t.pages).toFixed(1),
    rowsPerSecond: Math.round(users / (wall / 1000)) }));
  if (process.argv.includes('--cli')) {
    const config = await benchConfig(dir, px.baseUrl);
    const run = await runNode(['--cpu-prof', '--cpu-prof-dir', '/tmp/rb/prof', CLI, 'export', '-t', 'USER', '-c', config, '-o', join(dir, 'e.csv')], { cwd: dir });
    console.log(run.code, run.stdout.trim(), run.stderr.trim().split('\n').slice(-2).join(' | '), Math.round(run.ms));
  }
} finally {
  await px.close();
  await cleanup();
}
