/**
 * Case 1: local pipeline speed. source -> mapper -> validator into a discarding sink, against
 * the raw parsers on the same file in the same process: csv-parse with `columns: true`
 * counting records, and stream-json's JSON-lines parser. Rounds alternate raw and pxstream;
 * the best of each is kept, so a noisy neighbour hurts both sides alike.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createStepStream, startPipeline } from '@pxstream/core';
import { createCsvSource } from '@pxstream/source-csv';
import { createJsonlSource } from '@pxstream/source-jsonl';
import { parse } from 'csv-parse';
import jsonlParser from 'stream-json/jsonl/parser.js';
import { arg, report } from '../case-args.js';
import { exampleUserStages } from '../example-stages.js';
import { generate } from '../generate.js';
import { scratch } from '../util.js';

const rows = Number(arg('rows', '1000000'));
const rounds = Number(arg('rounds', '2'));

function counter() {
  let n = 0;
  return {
    sink: new Writable({
      objectMode: true,
      highWaterMark: 64,
      write(_row, _encoding, callback) {
        n++;
        callback();
      },
    }),
    count: () => n,
  };
}

async function rawCsv(path: string): Promise<number> {
  const { sink, count } = counter();
  await pipeline(createReadStream(path, { highWaterMark: 64 * 1024 }), parse({ columns: true }), sink);
  return count();
}

async function rawJsonl(path: string): Promise<number> {
  const { sink, count } = counter();
  await pipeline(createReadStream(path, { highWaterMark: 64 * 1024 }), jsonlParser.asStream(), sink);
  return count();
}

async function pxstream(path: string, format: 'csv' | 'jsonl'): Promise<{ rows: number; rejected: number }> {
  const { mapper, validator } = await exampleUserStages();
  const { sink, count } = counter();
  const run = startPipeline({
    input: createReadStream(path, { highWaterMark: 64 * 1024 }),
    source: format === 'csv' ? createCsvSource() : createJsonlSource(),
    stages: [createStepStream(mapper, validator)],
    sink,
    // Counted in the run's stats; the bench needs nothing else of them.
    onRejection: () => {},
  });
  const stats = await run.done;
  return { rows: count(), rejected: stats.rejected };
}

async function best(run: () => Promise<number>): Promise<{ rowsPerSecond: number; rows: number }> {
  const started = performance.now();
  const n = await run();
  return { rows: n, rowsPerSecond: n / ((performance.now() - started) / 1000) };
}

const { dir, cleanup } = await scratch();
try {
  const csv = join(dir, 'users.csv');
  const jsonl = join(dir, 'users.jsonl');
  await generate({ type: 'USER', format: 'csv', rows, out: csv });
  await generate({ type: 'USER', format: 'jsonl', rows, out: jsonl });
  const result = {
    rows,
    csv: { raw: 0, pxstream: 0, ratio: 0 },
    jsonl: { raw: 0, pxstream: 0, ratio: 0 },
    accounted: true,
  };
  for (let round = 0; round < rounds; round++) {
    const a = await best(() => rawCsv(csv));
    let done = { rows: 0, rejected: 0 };
    const b = await best(async () => {
      done = await pxstream(csv, 'csv');
      return done.rows + done.rejected;
    });
    const c = await best(() => rawJsonl(jsonl));
    let doneJ = { rows: 0, rejected: 0 };
    const d = await best(async () => {
      doneJ = await pxstream(jsonl, 'jsonl');
      return doneJ.rows + doneJ.rejected;
    });
    result.accounted &&= a.rows === rows && b.rows === rows && c.rows === rows && d.rows === rows;
    result.csv.raw = Math.max(result.csv.raw, a.rowsPerSecond);
    result.csv.pxstream = Math.max(result.csv.pxstream, b.rowsPerSecond);
    result.jsonl.raw = Math.max(result.jsonl.raw, c.rowsPerSecond);
    result.jsonl.pxstream = Math.max(result.jsonl.pxstream, d.rowsPerSecond);
  }
  result.csv.ratio = result.csv.pxstream / result.csv.raw;
  result.jsonl.ratio = result.jsonl.pxstream / result.jsonl.raw;
  report(result);
} finally {
  await cleanup();
}
