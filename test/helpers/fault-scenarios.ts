/**
 * The fault suite's scenarios (crashes and faults lose nothing and duplicate nothing), sized by
 * their caller: `test/e2e/faults.test.ts` runs them small, `bench/src/soak/faults.ts` at soak
 * size. Each makes every assertion itself and returns its figures.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorOptions } from '@pxstream/emulator';
import { runInProcess, startPxstream, writeConfig } from './cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from './configs.js';
import { type UsersFile, writeUsersCsv } from './data.js';
import { emulator, SECRET_KEY, seed, stableRecords } from './emulator.js';

/** One bad row (invalid email) in this many: a few rejections in every size of input. */
export const BAD_EVERY = 211;

/** Existing users: every third good id is in PX before the load (so both PUT and POST paths run). */
export function existing(file: UsersFile) {
  return file.goodIds
    .filter((_, i) => i % 3 === 0)
    .map((identifyId) => ({ identifyId, propertyKeys: ['AP-DEMO00000000-2'], email: 'old@example.com' }));
}

/** How many times each id is in a rejects CSV (continuation lines of a quoted cell skipped). */
export async function rejectsById(path: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const text = await readFile(path, 'utf8');
  for (const line of text.split('\n').slice(1)) {
    // Continuation lines of a quoted multi-line cell do not start a record.
    if (!/^u-\d{6},/.test(line)) continue;
    const id = line.slice(0, line.indexOf(','));
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** A tiny seeded generator, so the kill points are random but the same on every run. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A users CSV of `rows` rows (`BAD_EVERY`) in `dir`, and the records of a clean load of it. */
export async function inputAndReference(dir: string, rows: number, name = 'users') {
  const input = join(dir, `${name}.csv`);
  const file = await writeUsersCsv(input, rows, { badEvery: BAD_EVERY });
  const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES });
  try {
    await seed(px, { users: existing(file) });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 5000 }), `${name}-clean.json`);
    const run = await runInProcess(
      ['-q', '-t', 'USER', '-c', config, '-i', '--errors', join(dir, `${name}-clean_rejects.csv`), input],
      { cwd: dir, timeoutMs: 600_000 },
    );
    assert.equal(run.code, 3, run.stderr);
    const clean = await stableRecords(px, 'users');
    assert.equal(clean.length, file.goodIds.length);
    return { input, file, clean };
  } finally {
    await px.close();
  }
}

export interface KillResumeOptions {
  dir: string;
  input: string;
  file: UsersFile;
  /** The records of a clean load of `input` (see `inputAndReference`). */
  clean: Record<string, unknown>[];
  kills: number;
  /** Each kill comes `first + random() * spread` requests after the run (re)started. */
  killAfterRequests: { first: number; spread: number };
  rate: number;
  seed?: number;
}

/**
 * kill -9 at `kills` random points of a load, resumed each time, then a last resume to the end:
 * the same records as a clean run, no duplicate create, each bad row once in the rejects file,
 * a final report that adds up, and the API key in no output.
 */
export async function killAndResume(options: KillResumeOptions) {
  const { dir, input, file, clean } = options;
  const started = performance.now();
  const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES });
  try {
    await seed(px, { users: existing(file) });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: options.rate }), 'kill.json');
    const report = join(dir, 'kill.json.report');
    const rejectsPath = join(dir, 'kill_rejects.csv');
    const args = ['-q', '-t', 'USER', '-c', config, '-i', '--errors', rejectsPath, '--report', report, input];
    const random = seeded(options.seed ?? 20261123);
    const outputs: string[] = [];
    const killedAt: number[] = [];
    for (let kill = 0; kill < options.kills; kill++) {
      const before = px.stats().requests;
      const target =
        before + options.killAfterRequests.first + Math.floor(random() * options.killAfterRequests.spread);
      const run = startPxstream(kill === 0 ? args : [...args, '--resume'], { cwd: dir, timeoutMs: 600_000 });
      while (px.stats().requests < target && run.child.exitCode === null)
        await new Promise((r) => setTimeout(r, 5));
      run.child.kill('SIGKILL');
      const killed = await run.done;
      outputs.push(killed.stdout, killed.stderr);
      assert.equal(killed.signal, 'SIGKILL', `run ${kill} was killed mid-load: ${killed.stderr}`);
      killedAt.push(px.stats().requests);
    }
    // The last resume needs no process of its own: the CLI in this process.
    const last = await runInProcess([...args, '--resume'], { cwd: dir, timeoutMs: 600_000 });
    outputs.push(last.stdout, last.stderr);
    assert.equal(last.code, 3, last.stderr);
    assert.deepEqual(await stableRecords(px, 'users'), clean, 'records equal those of a clean run');
    const seededCount = Math.ceil(file.goodIds.length / 3);
    assert.equal(px.stats().created.users, file.goodIds.length - seededCount, 'no duplicate was created');
    const rejects = await rejectsById(rejectsPath);
    assert.equal(rejects.size, file.badIndices.length);
    assert.ok(
      [...rejects.values()].every((n) => n === 1),
      'each bad row exactly once',
    );
    const final = JSON.parse(await readFile(report, 'utf8'));
    const rows = file.goodIds.length + file.badIndices.length;
    assert.equal(final.rows.read, rows);
    assert.equal(final.rows.rejected, file.badIndices.length);
    assert.equal(final.rows.updated + final.rows.inserted, file.goodIds.length);
    assert.equal(final.rows.notSent, 0);
    for (const text of [...outputs, await readFile(report, 'utf8'), await readFile(rejectsPath, 'utf8')]) {
      assert.ok(!text.includes(SECRET_KEY), 'the API key appears in no output');
    }
    return {
      rows,
      kills: options.kills,
      requestsAtKills: killedAt,
      requests: px.stats().requests,
      updated: final.rows.updated,
      inserted: final.rows.inserted,
      rejected: final.rows.rejected,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await px.close();
  }
}

export interface MixedFaultsOptions {
  dir: string;
  input: string;
  file: UsersFile;
  clean: Record<string, unknown>[];
  /** The client's rate, above the emulator's limit: 429 storms. */
  rate: number;
  rateLimit: { perSecond: number; burst: number };
  faults: NonNullable<EmulatorOptions['faults']>;
  timeoutMs: number;
}

/**
 * A load through 429 storms, 5xx, resets before and after processing and hangs (cut by
 * `--timeout`): the same records as a clean run, no duplicate create, only the bad rows
 * rejected (every fault retried), retries and 429s in the report.
 */
export async function mixedFaults(options: MixedFaultsOptions) {
  const { dir, input, file, clean } = options;
  const started = performance.now();
  const px = await emulator({
    customAttributes: EXAMPLE_ATTRIBUTES,
    rateLimit: options.rateLimit,
    faults: options.faults,
  });
  try {
    await seed(px, { users: existing(file) });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: options.rate }), 'faults.json');
    const report = join(dir, 'faults-report.json');
    const args = ['-q', '-t', 'USER', '-c', config, '-i', '--timeout', String(options.timeoutMs)];
    const run = await runInProcess(
      [...args, '--errors', join(dir, 'faults_rejects.csv'), '--report', report, input],
      { cwd: dir, timeoutMs: 600_000 },
    );
    assert.equal(run.code, 3, run.stderr);
    const stats = px.stats();
    assert.ok(
      stats.faults.resetAfter > 0 && stats.faults.serverError > 0 && stats.faults.hang > 0,
      JSON.stringify(stats.faults),
    );
    assert.ok(stats.rateLimited > 0, 'the load went through 429s');
    const final = JSON.parse(await readFile(report, 'utf8'));
    // Every good row is updated or inserted: none skipped (say why if one was), none lost.
    assert.equal(final.rows.skipped, 0, JSON.stringify(final.skippedByReason));
    assert.equal(
      final.rows.rejected,
      file.badIndices.length,
      `only the bad rows are rejected, every fault was retried: ${JSON.stringify(final.rejectedByCode)}`,
    );
    assert.deepEqual(await stableRecords(px, 'users'), clean);
    const seededCount = Math.ceil(file.goodIds.length / 3);
    assert.equal(stats.created.users, file.goodIds.length - seededCount, 'no duplicate');
    const rows = file.goodIds.length + file.badIndices.length;
    assert.equal(final.rows.updated + final.rows.inserted + final.rows.skipped + final.rows.rejected, rows);
    assert.ok(final.retries > 0 && final.http429 > 0);
    return {
      rows,
      requests: stats.requests,
      rateLimited: stats.rateLimited,
      faults: stats.faults,
      retries: final.retries,
      http429: final.http429,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await px.close();
  }
}
