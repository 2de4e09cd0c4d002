#!/usr/bin/env node
// Memory of the emulator holding N users seeded through the control plane (streamed NDJSON),
// its peak RSS while the whole store is dumped back (streamed: the peak must not move), and
// while the whole list is read back through the API's scroll (pageSize 1000), a filter and a sort.
// Usage: node packages/emulator/scripts/measure-memory.mjs [users=1000000]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const total = Number(process.argv[2] ?? 1_000_000);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
console.log(`load average at start: ${load()}`);
const bin = fileURLToPath(new URL('../bin/pxstream-emulator.js', import.meta.url));
const child = spawn(
  process.execPath,
  ['--expose-gc', bin, '--no-rate-limit', '--custom-attribute', 'user.plan:STRING'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
child.stdout.setEncoding('utf8');
let out = '';
while (!out.includes('\n')) out += (await once(child.stdout, 'data'))[0];
const origin = /on (http:\/\/[^/]+)\/v1/.exec(out)[1];

const memory = async (gc = true) => (await fetch(`${origin}/__emulator/memory?gc=${gc}`)).json();
const mb = (n) => `${(n / 1024 / 1024).toFixed(0)} MB`;
const before = await memory();

const started = performance.now();
const req = request(`${origin}/__emulator/seed?type=users`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-ndjson' },
});
const answer = once(req, 'response');
for (let i = 0; i < total; i++) {
  const line = JSON.stringify({
    identifyId: `user-${String(i).padStart(7, '0')}`,
    propertyKeys: ['AP-EMULATOR-1'],
    email: `user${i}@example.com`,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    accountId: `account-${i % 10000}`,
    signUpDate: 1_700_000_000_000 + i,
    customAttributes: { plan: i % 2 ? 'gold' : 'free' },
  });
  if (!req.write(`${line}\n`)) await once(req, 'drain');
}
req.end();
const [res] = await answer;
let body = '';
for await (const chunk of res) body += chunk;
const seconds = (performance.now() - started) / 1000;
const after = await memory();
const stats = await (await fetch(`${origin}/__emulator/stats`)).json();
console.log(`seeded ${body} in ${seconds.toFixed(1)} s; users held: ${stats.records.users}`);
console.log(`idle:   rss ${mb(before.rss)}, heap used ${mb(before.heapUsed)}`);
console.log(
  `seeded: rss ${mb(after.rss)}, heap used ${mb(after.heapUsed)}, peak rss so far ${mb(after.maxRss)}`,
);
console.log(`per user: ${((after.heapUsed - before.heapUsed) / total).toFixed(0)} bytes of heap`);

const dumpStart = performance.now();
const dump = await fetch(`${origin}/__emulator/dump?type=users`);
let lines = 0;
let bytes = 0;
for await (const chunk of dump.body) {
  bytes += chunk.length;
  for (const byte of chunk) if (byte === 10) lines++;
}
const dumpSeconds = (performance.now() - dumpStart) / 1000;
const afterDump = await memory(false);
console.log(
  `dumped ${lines} users (${mb(bytes)} of NDJSON) in ${dumpSeconds.toFixed(1)} s; rss after dump ${mb(afterDump.rss)}, peak rss ${mb(afterDump.maxRss)} (${afterDump.maxRss > after.maxRss ? `+${mb(afterDump.maxRss - after.maxRss)} during the dump` : 'unchanged by the dump'})`,
);
const api = (query) =>
  fetch(`${origin}/v1/users?${query}`, { headers: { 'x-aptrinsic-api-key': 'emulator-key' } }).then((r) =>
    r.json(),
  );
const listStart = performance.now();
let page = await api('pageSize=1000');
let listed = page.users.length;
let requests = 1;
while (page.users.length === 1000) {
  page = await api(`pageSize=1000&scrollId=${encodeURIComponent(page.scrollId)}`);
  listed += page.users.length;
  requests++;
}
const listSeconds = (performance.now() - listStart) / 1000;
const afterList = await memory(false);
console.log(
  `listed ${listed} users (totalHits ${page.totalHits}) in ${requests} requests, ${listSeconds.toFixed(1)} s; rss after ${mb(afterList.rss)}, peak rss ${mb(afterList.maxRss)}`,
);
for (const query of [
  'pageSize=1000&filter=customAttributes.plan%3D%3Dgold',
  'pageSize=1000&sort=-signUpDate',
]) {
  const started = performance.now();
  const first = await api(query);
  const took = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`first page of ${query}: totalHits ${first.totalHits} in ${took} s`);
}
const afterQueries = await memory(false);
console.log(
  `after the filter and the sort: rss ${mb(afterQueries.rss)}, peak rss ${mb(afterQueries.maxRss)}`,
);
console.log(`load average at end: ${load()}`);
child.kill('SIGTERM');
await once(child, 'exit');
