/**
 * Case 5: the peer. A sequential loader that does what Gainsight's loader does (one request at
 * a time, a new connection per request, PUT then POST on 404), against pxstream on the same
 * emulator settings and the same rows, in the same run.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createStepStream, type RowEnvelope, startPipeline } from '@pxstream/core';
import { createCsvSource } from '@pxstream/source-csv';
import { arg, report } from '../case-args.js';
import { exampleUserStages } from '../example-stages.js';
import { generate } from '../generate.js';
import { BENCH_KEY, benchConfig, CLI, runNode, scratch, startEmulatorProcess } from '../util.js';

const rows = Number(arg('rows', '400'));
const emulatorFlags = arg('emulator', '--rate 200 --latency 40').split(' ').filter(Boolean);

/** One request on a fresh connection (no keep-alive), as the loader's new session per call. */
function send(baseUrl: string, method: string, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const payload = JSON.stringify(body);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${path}`,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'X-APTRINSIC-API-KEY': BENCH_KEY,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function sequentialLoader(
  baseUrl: string,
  input: string,
): Promise<{ rows: number; rejected: number; ms: number }> {
  const { mapper, validator } = await exampleUserStages();
  let done = 0;
  const started = performance.now();
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(row: RowEnvelope, _encoding, callback) {
      const path = `/users/${encodeURIComponent(row.key ?? '')}`;
      send(baseUrl, 'PUT', path, row.body)
        .then((status) => (status === 404 ? send(baseUrl, 'POST', '/users', row.body) : status))
        .then(() => {
          done++;
          callback();
        }, callback);
    },
  });
  const stats = await startPipeline({
    input: createReadStream(input),
    source: createCsvSource(),
    stages: [createStepStream(mapper, validator)],
    sink,
    onRejection: () => {},
  }).done;
  return { rows: done, rejected: stats.rejected, ms: performance.now() - started };
}

const { dir, cleanup } = await scratch();
try {
  const input = join(dir, 'users.csv');
  await generate({ type: 'USER', format: 'csv', rows, out: input, prefix: 'peer' });
  const existing = Array.from({ length: Math.floor(rows / 2) }, (_, i) => `peer-${i * 2}`);

  const peerPx = await startEmulatorProcess(emulatorFlags);
  let peer: { rows: number; rejected: number; ms: number };
  try {
    await peerPx.seedUsers(existing);
    peer = await sequentialLoader(peerPx.baseUrl, input);
  } finally {
    await peerPx.close();
  }

  const px = await startEmulatorProcess(emulatorFlags);
  try {
    await px.seedUsers(existing);
    const config = await benchConfig(dir, px.baseUrl);
    const reportPath = join(dir, 'report.json');
    const run = await runNode(
      [CLI, '-q', '-i', '-t', 'USER', '-c', config, '--rate', '200', '--report', reportPath, input],
      { cwd: dir },
    );
    if (run.code !== 0 && run.code !== 3) throw new Error(`pxstream exited ${run.code}: ${run.stderr}`);
    const json = JSON.parse(await readFile(reportPath, 'utf8'));
    const peerRowsPerSecond = peer.rows / (peer.ms / 1000);
    report({
      rows,
      peerRowsPerSecond,
      pxstreamRowsPerSecond: json.rowsPerSecond,
      speedUp: json.rowsPerSecond / peerRowsPerSecond,
      accounted: peer.rows + peer.rejected === rows && json.rows.read === rows && json.rows.notSent === 0,
    });
  } finally {
    await px.close();
  }
} finally {
  await cleanup();
}
