import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import type { Rejection } from '@pxstream/core';
import { dryRunThreads, PARALLEL_DRY_RUN_MIN_BYTES } from '../src/dry-run/parallel.js';
import { type LoadOptions, type LoadReport, load } from '../src/index.js';
import type { PassContext } from '../src/run/pass-context.js';

const KEY = 'px-secret-key-0123456789';
const CONFIG = {
  productKey: 'AP-TEST00000000-1',
  timezone: 'America/New_York',
  fieldMapping: {
    USER: {
      identifyId: 'id',
      email: 'email',
      firstName: 'first_name',
      title: 'title',
      'location.city': 'city',
      'location.coordinates.latitude': 'latitude',
      signUpDate: 'signup',
      'customAttributes.plan': 'plan',
      score: 'score',
      globalUnsubscribe: 'unsubscribed',
    },
  },
  attributeTypes: { 'customAttributes.plan': 'STRING' },
};
const HEADER = 'id,email,first_name,title,city,latitude,signup,plan,score,unsubscribed';

/** A deterministic PRNG (mulberry32). */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A users export with what real ones carry: ids on several rows, multi-line quoted titles,
 * quotes and delimiters in values, accents and emoji, blank lines, and a bad row of each stage
 * (wrong field count, unclosed quote, bad date and number, bad email), plus the API key in a value.
 */
function usersCsv(rows: number, options: { crlf?: boolean; bom?: boolean; seed?: number } = {}): string {
  const random = prng(options.seed ?? 7);
  const eol = options.crlf ? '\r\n' : '\n';
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const id = random() < 0.05 ? `user-${Math.floor(random() * i)}` : `user-${i}`;
    const r = random();
    let email = `u${i}@example.com`;
    let signup = `2024-0${1 + (i % 9)}-1${i % 10}T10:00:00`;
    let score = String(i % 100);
    let title = ['', 'Engineer', '"Head, Sales"', '"VP ""Growth"""', `"Line one${eol}line two"`][i % 5]!;
    const name = ['Zoë', 'José', 'Ann 🚀', 'Li'][i % 4]!;
    if (r < 0.01) email = 'not-an-email';
    else if (r < 0.02) signup = 'yesterday';
    else if (r < 0.03) score = 'many';
    else if (r < 0.035) title = KEY;
    if (r > 0.995) {
      lines.push(`${id},${email},${name},only,four`);
      continue;
    }
    if (r > 0.99 && r <= 0.991) {
      lines.push(`${id},${email},"${name},Engineer,Paris,48.85,${signup},team,${score},false`);
      continue;
    }
    if (r > 0.98 && r <= 0.982) lines.push('');
    lines.push(`${id},${email},${name},${title},Paris,48.${i % 1000},${signup},team,${score},${i % 2 === 0}`);
  }
  return (options.bom ? '\ufeff' : '') + lines.join(eol) + eol;
}

/** An output that keeps what it is given. */
function collector() {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** `load()` as a threaded dry run of the test config, without a rejects file unless given. */
function threadedLoad(input: LoadOptions['input'], extra: Partial<LoadOptions>): Promise<LoadReport> {
  return load({
    config: CONFIG,
    type: 'USER',
    input,
    format: 'csv',
    dryRun: true,
    dryRunThreads: 2,
    rejects: false,
    cwd: dir,
    ...extra,
  });
}

interface DryRun {
  report: LoadReport;
  output: string;
  rejects: string;
  rejected: Rejection[];
}

let dir: string;

async function dryRun(
  input: LoadOptions['input'],
  threads: number,
  extra: Partial<LoadOptions> = {},
): Promise<DryRun> {
  const { out, text } = collector();
  const rejectsPath = join(dir, `rejects-${threads}-${Math.random().toString(36).slice(2)}.csv`);
  const rejected: Rejection[] = [];
  const report = await threadedLoad(input, {
    output: out,
    dryRunThreads: threads,
    rejects: rejectsPath,
    env: { PX_API_KEY: KEY },
    onRejection: (rejection) => rejected.push(rejection),
    ...extra,
  });
  const rejects = report.rejectsFile ? await readFile(rejectsPath, 'utf8') : '';
  return { report, output: text(), rejects, rejected };
}

/** The report without what differs between two runs of the same input (times, paths, memory). */
function comparable(report: LoadReport) {
  const { startedAt, finishedAt, durationMs, rowsPerSecond, peakRssBytes, rejectsFile, ...rest } = report;
  return { ...rest, rejectsFile: rejectsFile === null ? null : 'kept' };
}

function sameRun(threaded: DryRun, single: DryRun): void {
  assert.equal(threaded.output, single.output, 'the same bodies, byte for byte');
  assert.deepEqual(comparable(threaded.report), comparable(single.report));
  assert.equal(threaded.rejects, single.rejects, 'the same rejects file');
  assert.deepEqual(
    threaded.rejected.map((r) => [r.row.index, r.row.line, r.stage, r.code, r.message]),
    single.rejected.map((r) => [r.row.index, r.row.line, r.stage, r.code, r.message]),
  );
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxstream-parallel-dry-run-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parallel dry run: the same run on threads', () => {
  it('gives the same bodies, counts, report, rejects file and rejections as one thread', async () => {
    const path = join(dir, 'users.csv');
    await writeFile(path, usersCsv(12_000));
    const single = await dryRun(path, 0);
    const threaded = await dryRun(path, 2);
    sameRun(threaded, single);
    const { rows } = single.report;
    // The input has every kind of row: the comparison above covers them all.
    assert.ok(rows.dryRun > 10_000, `${rows.dryRun} bodies`);
    for (const stage of ['parse', 'map', 'validate'] as const) {
      assert.ok(single.report.rejectedByStage[stage] > 0, `no ${stage} rejection in the input`);
    }
    assert.ok((single.report.repeatedIds ?? 0) > 100, `${single.report.repeatedIds} repeated ids`);
    assert.equal(rows.read, rows.dryRun + single.report.rejected, 'every row ends in one place');
    assert.ok(single.output.includes('[REDACTED]') && !threaded.output.includes(KEY), 'the key is redacted');
    assert.ok(single.output.includes('Line one\\nline two'), 'multi-line values kept');
  });

  it('into a file stream, whose write buffers go back to the threads once written, the same bytes', async () => {
    const path = join(dir, 'users-to-file.csv');
    await writeFile(path, usersCsv(8_000, { seed: 13 }));
    const single = await dryRun(path, 0);
    const target = join(dir, 'bodies.jsonl');
    const file = createWriteStream(target);
    const report = await threadedLoad(path, { output: file, env: { PX_API_KEY: KEY } });
    await new Promise<void>((resolve, reject) =>
      file.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    assert.equal(report.rows.dryRun, single.report.rows.dryRun);
    assert.ok((await readFile(target, 'utf8')) === single.output, 'the same bodies, byte for byte');
  });

  it('reads CRLF files with a BOM, gzip files and streams the same way', async () => {
    const text = usersCsv(4_000, { crlf: true, bom: true, seed: 11 });
    const path = join(dir, 'users-crlf.csv');
    await writeFile(path, text);
    sameRun(await dryRun(path, 3), await dryRun(path, 0));
    const gz = join(dir, 'users.csv.gz');
    await writeFile(gz, gzipSync(text));
    sameRun(await dryRun(gz, 2), await dryRun(gz, 0));
    const chunks = (size: number) => {
      const bytes = Buffer.from(text);
      const parts: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
      return Readable.from(parts);
    };
    sameRun(await dryRun(chunks(1000), 2), await dryRun(chunks(4096), 0));
  });

  it('keeps backpressure: a reader that stops reading stops the file read', async () => {
    const text = usersCsv(80_000, { seed: 3 });
    let pulled = 0;
    const bytes = Buffer.from(text);
    const input = new Readable({
      read() {
        const at = pulled;
        pulled += 64 * 1024;
        this.push(at < bytes.length ? bytes.subarray(at, at + 64 * 1024) : null);
      },
    });
    let writes = 0;
    const out = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, _callback) {
        writes++; // never calls back: the reader went to sleep
      },
    });
    const stop = new AbortController();
    const force = new AbortController();
    const run = threadedLoad(input, { output: out, signal: stop.signal, forceSignal: force.signal });
    try {
      // The first block reaches the output once the thread is up (seconds on a loaded machine),
      // then the run has time to read on, if it would.
      for (const until = Date.now() + 30_000; writes === 0 && Date.now() < until; ) await sleep(20);
      await sleep(500);
      assert.equal(writes, 1, 'one block written, then the output did not drain');
      // Blocks of 256 KiB out to the thread and read by the main one, one filling: a MiB or two of 7.
      assert.ok(pulled <= 3 * 1024 * 1024, `${pulled} bytes read while the output was full`);
      assert.ok(
        bytes.length > 2.5 * pulled,
        `the input (${bytes.length} bytes) is much larger than what was read`,
      );
    } finally {
      // Stopped whatever the assertions said: a run left waiting on the output keeps the process up.
      force.abort();
    }
    const report = await run.catch((error: { report?: LoadReport }) => error.report);
    assert.equal(report?.interrupted, true);
  });

  it('a stop (Ctrl-C) finishes the blocks out and counts every row it read', async () => {
    const path = join(dir, 'users-stop.csv');
    await writeFile(path, usersCsv(30_000, { seed: 5 }));
    const stop = new AbortController();
    const { out, text } = collector();
    let progress = 0;
    const run = threadedLoad(path, {
      output: out,
      signal: stop.signal,
      progressIntervalMs: 20,
      onProgress: (p) => {
        progress = p.finished;
        if (p.finished > 5_000) stop.abort();
      },
    });
    const report = await run.catch((error: { report?: LoadReport }) => error.report);
    assert.ok(report, 'a report');
    assert.equal(report.interrupted, true);
    assert.equal(report.complete, false);
    assert.ok(progress > 5_000);
    // Stopped before the end of the file; how far the threads got past 5,000 depends on the
    // machine (28,201 once on a busy one: the stop is seen at a progress tick on the main thread).
    assert.ok(report.rows.read < 30_000, `${report.rows.read} rows read after the stop`);
    assert.equal(report.rows.read, report.rows.dryRun + report.rejected, 'every row read ended');
    const printed = text()
      .split('\n')
      .filter((line) => line !== '').length;
    assert.equal(printed, report.rows.dryRun, 'every body counted was printed');
  });

  it('an output that fails stops the run with OUTPUT_CLOSED', async () => {
    const path = join(dir, 'users-closed.csv');
    await writeFile(path, usersCsv(4_000, { seed: 9 }));
    const out = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    await assert.rejects(
      threadedLoad(path, { output: out }),
      (error: { code?: string }) => error.code === 'OUTPUT_CLOSED',
    );
  });

  it('a header the mapping does not match stops it before any thread reads a row', async () => {
    const path = join(dir, 'users-bad-header.csv');
    await writeFile(path, 'id,mail\nuser-1,a@example.com\n');
    const { out, text } = collector();
    await assert.rejects(
      threadedLoad(path, { output: out }),
      (error: { code?: string }) => error.code === 'MAP_UNKNOWN_COLUMN',
    );
    assert.equal(text(), '');
  });

  it('an empty file and a header-only file end with no row, as on one thread', async () => {
    for (const [name, content] of [
      ['empty.csv', ''],
      ['header-only.csv', `${HEADER}\n`],
    ] as const) {
      const path = join(dir, name);
      await writeFile(path, content);
      sameRun(await dryRun(path, 2), await dryRun(path, 0));
    }
  });
});

describe('parallel dry run: when it is used', () => {
  const context = (over: { settings?: object; options?: object; input?: object; from?: object }) =>
    ({
      settings: {
        dryRun: true,
        plan: false,
        format: 'csv',
        startRow: undefined,
        lastRow: undefined,
        ...over.settings,
      },
      options: { output: new Writable(), ...over.options },
      input: {
        kind: 'file',
        size: PARALLEL_DRY_RUN_MIN_BYTES,
        fileSize: PARALLEL_DRY_RUN_MIN_BYTES,
        ...over.input,
      },
      checkpoint: { from: over.from },
    }) as unknown as PassContext;

  it('on 8 MiB or more of CSV printed by a dry run, not below', () => {
    const cores = availableParallelism();
    assert.equal(dryRunThreads(context({})), cores >= 2 ? Math.min(cores - 1, 3) : 0);
    assert.equal(dryRunThreads(context({ input: { size: PARALLEL_DRY_RUN_MIN_BYTES - 1, fileSize: 1 } })), 0);
  });

  it('never for a real load, a plan, JSON, a row range, a resume, onRow or no output', () => {
    const cases = [
      { settings: { dryRun: false } },
      { settings: { plan: true } },
      { settings: { format: 'jsonl' } },
      { settings: { startRow: 10 } },
      { settings: { lastRow: 10 } },
      { from: { position: null } },
      { options: { onRow: () => {} } },
      { options: { output: undefined } },
      { options: { dryRunThreads: 0 } },
    ];
    for (const over of cases) assert.equal(dryRunThreads(context(over)), 0, JSON.stringify(over));
    assert.equal(dryRunThreads(context({ input: { size: 10 }, options: { dryRunThreads: 3 } })), 3);
    assert.equal(dryRunThreads(context({ options: { dryRunThreads: 1000 } })), 16);
  });
});
