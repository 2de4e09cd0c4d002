// Temporary measurement (deleted after): heap and RSS of the sink with N requests in flight.
import { Readable } from 'node:stream';
import { createPxSink } from '../../packages/sink-px/src/index.js';
import { BENCH_KEY, startEmulatorProcess } from './util.js';

const pinned = Number(process.argv[2]);
const px = await startEmulatorProcess(['--no-rate-limit', '--latency', '3000']);
const gc = (globalThis as { gc?: () => void }).gc!;
const sink = createPxSink({
  baseUrl: px.baseUrl,
  apiKey: BENCH_KEY,
  type: 'USER',
  rate: 100000,
  ...(pinned ? { concurrency: pinned } : {}),
  ...(process.argv[3] ? { maxPending: Number(process.argv[3]) } : {}),
});
sink.on('outcome', () => {});
sink.on('rejection', () => {});
const body = (i: number) => ({
  identifyId: `mem-user-${i}`,
  propertyKeys: ['AP-DEMO00000000-2'],
  email: `mem-user-${i}@example.com`,
  firstName: 'Zoë',
  lastName: "O'Brien",
  title: 'Engineer',
  plan: 'pro',
  score: i % 100,
});
let i = 0;
const rows = new Readable({
  objectMode: true,
  highWaterMark: 16,
  read() {
    const n = i++;
    this.push({ index: n, line: n + 2, fields: [], key: `mem-user-${n}`, body: body(n) });
  },
});
gc();
const before = process.memoryUsage();
rows.pipe(sink);
await new Promise((r) => setTimeout(r, 2500));
gc();
const during = process.memoryUsage();
const stats = sink.stats();
console.log(
  JSON.stringify({
    pinned,
    inFlight: stats.inFlight,
    pending: stats.pending,
    concurrency: stats.concurrency,
    heapMB: (during.heapUsed - before.heapUsed) / 1e6,
    externalMB: (during.external - before.external) / 1e6,
    rssMB: (during.rss - before.rss) / 1e6,
    rssTotalMB: during.rss / 1e6,
    perRowKB: (during.heapUsed - before.heapUsed + during.external - before.external) / stats.pending / 1e3,
  }),
);
rows.unpipe(sink);
process.exit(0);
