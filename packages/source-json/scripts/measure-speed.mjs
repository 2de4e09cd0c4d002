#!/usr/bin/env node
// Rows per second of the JSON array source against stream-json's own array streaming on the
// same generated file (an array of N user objects of 15 fields, one element per line), read
// from disk in 64 KiB chunks into the same counting sink. Three readers, in alternating rounds,
// the best round of each kept (a noisy neighbour hurts all alike):
// - stream-json: `streamArray.withParserAsStream()`, its array streaming in its stream form;
// - stream-json tuned: its tokenizer (values packed only) and `streamArray` called directly in
//   one Transform that pushes each element: the fastest stream of elements stream-json gives,
//   the real bar (the JSON array source drives the same calls);
// - pxstream: `createJsonArraySource()`.
// CPU seconds are measured too: on a shared machine rows per CPU second vary less.
// Needs the package built (npx tsc -b packages/source-json).
// Usage: node packages/source-json/scripts/measure-speed.mjs [rows=1000000] [rounds=3]
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { jsonParser } from 'stream-json/core/parser.js';
import { streamArray as streamArrayCalls } from 'stream-json/core/streamers/stream-array.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import { createJsonArraySource } from '../dist/index.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 3);
const CHUNK = 64 * 1024;
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

const FIRST = ['Zoë', 'Kwame', 'Nadia', 'José', 'Aiko', 'Łukasz', 'Björn', 'Priya'];
const LAST = ["O'Brien", 'Müller', 'Nakamura', 'García', 'Smith, Jr.', 'Ndiaye', '李'];
const TITLES = ['Engineer', 'Designer', 'Head of "Data"', 'VP, Sales', 'Analyst', 'Support\nLead'];
const CITIES = [
  ['Paris', 'IDF', 'FR', 48.85, 2.35],
  ['Austin', 'TX', 'US', 30.27, -97.74],
  ['São Paulo', 'SP', 'BR', -23.55, -46.63],
];

function user(i) {
  const [city, state, country, lat, lon] = CITIES[i % CITIES.length];
  return {
    id: `user-${i}`,
    email: `user.${i}@example.com`,
    first_name: FIRST[i % FIRST.length],
    last_name: LAST[i % LAST.length],
    title: TITLES[i % TITLES.length],
    city,
    state,
    country,
    latitude: lat + (i % 100) / 1000,
    longitude: lon,
    signup: new Date(1_600_000_000_000 + i * 60_000).toISOString().slice(0, 19),
    plan: ['free', 'pro', 'team', 'enterprise'][i % 4],
    score: i % 100,
    unsubscribed: i % 3 === 0,
    account: `ACC-${i % 5000}`,
  };
}

async function generate(path) {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let text = '[\n';
  for (let i = 0; i < rows; i++) {
    text += `${JSON.stringify(user(i))}${i + 1 < rows ? ',' : ''}\n`;
    if (text.length > 1 << 16) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    }
  }
  out.end(`${text}]\n`);
  await once(out, 'finish');
}

function counter() {
  let n = 0;
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 64,
    write(_row, _encoding, callback) {
      n++;
      callback();
    },
  });
  return { sink, count: () => n };
}

/** stream-json's tokenizer and `streamArray` as plain calls in one Transform. */
function tunedStreamArray() {
  const decoder = new StringDecoder('utf8');
  const tokenize = jsonParser({ streamValues: false });
  const assemble = streamArrayCalls();
  const take = (stream, text) => {
    const tokens = tokenize(text);
    if (typeof tokens === 'symbol') return;
    for (const token of tokens.values) {
      const item = assemble(token);
      if (typeof item !== 'symbol') stream.push(item);
    }
  };
  return new Transform({
    readableObjectMode: true,
    readableHighWaterMark: 128,
    transform(chunk, _encoding, callback) {
      take(this, decoder.write(chunk));
      callback();
    },
    flush(callback) {
      take(this, decoder.end());
      callback();
    },
  });
}

const readers = {
  'stream-json': async (path) => {
    const { sink, count } = counter();
    await pipeline(createReadStream(path, { highWaterMark: CHUNK }), streamArray.withParserAsStream(), sink);
    return count();
  },
  'stream-json tuned': async (path) => {
    const { sink, count } = counter();
    await pipeline(createReadStream(path, { highWaterMark: CHUNK }), tunedStreamArray(), sink);
    return count();
  },
  pxstream: async (path) => {
    const { sink, count } = counter();
    await pipeline(createReadStream(path, { highWaterMark: CHUNK }), createJsonArraySource(), sink);
    return count();
  },
};

async function measure(read, path) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const n = await read(path);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  if (n !== rows) throw new Error(`read ${n} rows, expected ${rows}`);
  return { perSecond: n / seconds, perCpuSecond: n / cpuSeconds };
}

const dir = await mkdtemp(join(tmpdir(), 'pxstream-json-speed-'));
try {
  const path = join(dir, 'users.json');
  await generate(path);
  const size = (await stat(path)).size;
  console.log(`${rows} elements, ${(size / 1024 / 1024).toFixed(0)} MiB; load average at start: ${load()}`);
  const best = Object.fromEntries(
    Object.keys(readers).map((name) => [name, { perSecond: 0, perCpuSecond: 0 }]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const [name, read] of Object.entries(readers)) {
      const result = await measure(read, path);
      best[name].perSecond = Math.max(best[name].perSecond, result.perSecond);
      best[name].perCpuSecond = Math.max(best[name].perCpuSecond, result.perCpuSecond);
      console.log(
        `round ${round + 1} ${name.padEnd(17)} ${Math.round(result.perSecond)} rows/s, ${Math.round(result.perCpuSecond)} rows/CPU-s`,
      );
    }
  }
  const px = best.pxstream;
  for (const name of ['stream-json', 'stream-json tuned']) {
    const other = best[name];
    console.log(
      `pxstream / ${name}: ${(px.perSecond / other.perSecond).toFixed(2)}x by wall time, ${(px.perCpuSecond / other.perCpuSecond).toFixed(2)}x by CPU time`,
    );
  }
  console.log(`load average at end: ${load()}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
