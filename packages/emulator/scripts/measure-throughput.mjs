#!/usr/bin/env node
// Requests per second the emulator serves: a PUT loop from this process (keep-alive, C
// concurrent requests) against an emulator in its own process, limits off. With a CPU number
// as third argument the emulator is pinned to that one core (`taskset -c`); pin this client
// to another core with `taskset -c N node ...`.
// Usage: node packages/emulator/scripts/measure-throughput.mjs [concurrency=64] [seconds=10] [emulatorCpu]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const concurrency = Number(process.argv[2] ?? 64);
const seconds = Number(process.argv[3] ?? 10);
const cpu = process.argv[4];
const users = 10_000;
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
console.log(`load average at start: ${load()}`);
const bin = fileURLToPath(new URL('../bin/pxstream-emulator.js', import.meta.url));
const command = [process.execPath, bin, '--no-rate-limit', '--no-daily-quota', '--api-key', 'k'];
const [file, ...args] = cpu === undefined ? command : ['taskset', '-c', cpu, ...command];
const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.setEncoding('utf8');
let out = '';
while (!out.includes('\n')) out += (await once(child.stdout, 'data'))[0];
const origin = /on (http:\/\/[^/]+)\/v1/.exec(out)[1];

const seed = Array.from({ length: users }, (_, i) =>
  JSON.stringify({ identifyId: `u${i}`, propertyKeys: ['AP-1'] }),
);
await fetch(`${origin}/__emulator/seed`, { method: 'POST', body: seed.join('\n') });

const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
function put(i) {
  const body = JSON.stringify({ email: `u${i}@example.com`, score: i, customAttributes: {} });
  return new Promise((resolve, reject) => {
    const req = request(`${origin}/v1/users/u${i % users}`, {
      method: 'PUT',
      agent,
      headers: {
        'x-aptrinsic-api-key': 'k',
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let done = 0;
let failed = 0;
let next = 0;
const deadline = performance.now() + seconds * 1000;
async function worker() {
  while (performance.now() < deadline) {
    const status = await put(next++);
    if (status === 204) done++;
    else failed++;
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - started) / 1000;
const stats = await (await fetch(`${origin}/__emulator/stats`)).json();
console.log(
  `${done} PUT 204 (+${failed} other) in ${elapsed.toFixed(1)} s with ${concurrency} concurrent keep-alive requests${cpu === undefined ? '' : `, emulator pinned to CPU ${cpu}`}: ${Math.round(done / elapsed)} requests/s; emulator maxPerSecond ${stats.maxPerSecond}`,
);
console.log(`load average at end: ${load()}`);
agent.destroy();
child.kill('SIGTERM');
await once(child, 'exit');
