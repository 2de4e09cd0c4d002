import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPxstream, startPxstream, tempDir, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { type UsersFile, writeUsersCsv } from '../helpers/data.js';
import { emulator, SECRET_KEY, seed, stableRecords } from '../helpers/emulator.js';

const ROWS = 20_000;

/** Existing users: every third good id is in PX before the load (so both PUT and POST paths run). */
function existing(file: UsersFile) {
  return file.goodIds
    .filter((_, i) => i % 3 === 0)
    .map((identifyId) => ({ identifyId, propertyKeys: ['AP-DEMO00000000-2'], email: 'old@example.com' }));
}

async function rejectsById(path: string): Promise<Map<string, number>> {
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
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('fault suite: crashes and faults lose nothing and duplicate nothing', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let file: UsersFile;
  let input: string;
  let clean: Record<string, unknown>[];
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    input = join(dir, 'users.csv');
    file = await writeUsersCsv(input, ROWS, { badEvery: 211 });
    // The reference: a clean run on its own emulator.
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES });
    try {
      await seed(px, { users: existing(file) });
      const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 5000 }), 'clean.json');
      const run = await runPxstream(
        ['-q', '-t', 'USER', '-c', config, '-i', '--errors', join(dir, 'clean_rejects.csv'), input],
        {
          cwd: dir,
          timeoutMs: 120_000,
        },
      );
      assert.equal(run.code, 3, run.stderr);
      clean = await stableRecords(px, 'users');
      assert.equal(clean.length, file.goodIds.length);
    } finally {
      await px.close();
    }
  });
  after(() => cleanup());

  it('kill -9 at three random points, resumed each time: same records as a clean run, each bad row once', async () => {
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES });
    try {
      await seed(px, { users: existing(file) });
      const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 3000 }), 'kill.json');
      const report = join(dir, 'kill.json.report');
      const args = [
        '-q',
        '-t',
        'USER',
        '-c',
        config,
        '-i',
        '--errors',
        join(dir, 'kill_rejects.csv'),
        '--report',
        report,
        input,
      ];
      const random = seeded(20261123);
      const outputs: string[] = [];
      for (let kill = 0; kill < 3; kill++) {
        const before = px.stats().requests;
        const target = before + 1500 + Math.floor(random() * 4000);
        const run = startPxstream(kill === 0 ? args : [...args, '--resume'], {
          cwd: dir,
          timeoutMs: 120_000,
        });
        while (px.stats().requests < target && run.child.exitCode === null)
          await new Promise((r) => setTimeout(r, 5));
        run.child.kill('SIGKILL');
        const killed = await run.done;
        outputs.push(killed.stdout, killed.stderr);
        assert.equal(killed.signal, 'SIGKILL', `run ${kill} was killed mid-load: ${killed.stderr}`);
      }
      const last = await runPxstream([...args, '--resume'], { cwd: dir, timeoutMs: 120_000 });
      outputs.push(last.stdout, last.stderr);
      assert.equal(last.code, 3, last.stderr);
      assert.deepEqual(await stableRecords(px, 'users'), clean, 'records equal those of a clean run');
      const seeded_ = Math.ceil(file.goodIds.length / 3);
      assert.equal(px.stats().created.users, file.goodIds.length - seeded_, 'no duplicate was created');
      const rejects = await rejectsById(join(dir, 'kill_rejects.csv'));
      assert.equal(rejects.size, file.badIndices.length);
      assert.ok(
        [...rejects.values()].every((n) => n === 1),
        'each bad row exactly once',
      );
      const final = JSON.parse(await readFile(report, 'utf8'));
      assert.equal(final.rows.read, ROWS);
      assert.equal(final.rows.rejected, file.badIndices.length);
      assert.equal(final.rows.updated + final.rows.inserted, file.goodIds.length);
      assert.equal(final.rows.notSent, 0);
      for (const text of [
        ...outputs,
        await readFile(report, 'utf8'),
        await readFile(join(dir, 'kill_rejects.csv'), 'utf8'),
      ]) {
        assert.ok(!text.includes(SECRET_KEY), 'the API key appears in no output');
      }
    } finally {
      await px.close();
    }
  });

  it('10% mixed faults (429 storms, 5xx, resets before and after, hangs): same records, no duplicate', async () => {
    const small = join(dir, 'faulty.csv');
    const smallFile = await writeUsersCsv(small, 3000, { badEvery: 211, prefix: 'u' });
    const reference = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES });
    let expected: Record<string, unknown>[];
    try {
      await seed(reference, { users: existing(smallFile) });
      const config = await writeConfig(
        dir,
        exampleConfig(reference.baseUrl, { rate: 3000 }),
        'faults-clean.json',
      );
      const run = await runPxstream(
        ['-q', '-t', 'USER', '-c', config, '-i', '--errors', join(dir, 'fc.csv'), small],
        { cwd: dir },
      );
      assert.equal(run.code, 3, run.stderr);
      expected = await stableRecords(reference, 'users');
    } finally {
      await reference.close();
    }
    const px = await emulator({
      customAttributes: EXAMPLE_ATTRIBUTES,
      rateLimit: { perSecond: 400, burst: 40 },
      faults: { seed: 7, serverError: 0.03, resetBefore: 0.02, resetAfter: 0.03, hang: 0.01 },
    });
    try {
      await seed(px, { users: existing(smallFile) });
      const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 1000 }), 'faults.json');
      const report = join(dir, 'faults-report.json');
      const run = await runPxstream(
        [
          '-q',
          '-t',
          'USER',
          '-c',
          config,
          '-i',
          '--timeout',
          '500',
          '--errors',
          join(dir, 'faults_rejects.csv'),
          '--report',
          report,
          small,
        ],
        { cwd: dir, timeoutMs: 240_000 },
      );
      assert.equal(run.code, 3, run.stderr);
      const stats = px.stats();
      assert.ok(
        stats.faults.resetAfter > 0 && stats.faults.serverError > 0 && stats.faults.hang > 0,
        JSON.stringify(stats.faults),
      );
      assert.ok(stats.rateLimited > 0, 'the load went through 429s');
      assert.deepEqual(await stableRecords(px, 'users'), expected);
      const seededCount = Math.ceil(smallFile.goodIds.length / 3);
      assert.equal(stats.created.users, smallFile.goodIds.length - seededCount, 'no duplicate');
      const final = JSON.parse(await readFile(report, 'utf8'));
      assert.equal(final.rows.updated + final.rows.inserted + final.rows.skipped + final.rows.rejected, 3000);
      assert.equal(
        final.rows.rejected,
        smallFile.badIndices.length,
        'only the bad rows are rejected: every fault was retried',
      );
      assert.ok(final.retries > 0 && final.http429 > 0);
    } finally {
      await px.close();
    }
  });

  it('an unwritable rejects file or checkpoint is fatal before any row is sent', async () => {
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES });
    try {
      const config = await writeConfig(dir, exampleConfig(px.baseUrl), 'unwritable.json');
      for (const extra of [
        ['--errors', '/dev/full'],
        ['--errors', join(dir, 'no-such-dir', 'rejects.csv')],
        ['--checkpoint', join(dir, 'no-such-dir', 'checkpoint.json')],
      ]) {
        const run = await runPxstream(['-t', 'USER', '-c', config, '-i', ...extra, input], { cwd: dir });
        assert.equal(run.code, 1, `${extra.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, /cannot write|REJECTS_WRITE_FAILED|no space/i);
        const writes = Object.keys(px.stats().byRoute).filter((route) => !route.startsWith('GET'));
        assert.deepEqual(writes, [], `${extra.join(' ')}: nothing was sent`);
      }
    } finally {
      await px.close();
    }
  });
});
