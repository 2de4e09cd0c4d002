import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runInProcess, startPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { USER_HEADER } from '../helpers/data.js';
import { dump, emulator } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const DAY1 = 500;

function userLine(i: number, email = `u${i}@example.com`): string {
  return [
    `u-${i}`,
    email,
    'Ada',
    'Lovelace',
    'Engineer',
    'Paris',
    'IDF',
    'FR',
    '48.85',
    '2.35',
    '2024-11-02T02:52:00',
    'pro',
    String(i % 100),
    '',
    'ACC-1',
  ].join(',');
}

/** Day 1: `DAY1` users. Day 2: the same, with `changed` rows' emails changed and `added` new users. */
function export_(changed: number[] = [], added = 0): string {
  const lines = [USER_HEADER];
  const changes = new Set(changed);
  for (let i = 0; i < DAY1; i++)
    lines.push(userLine(i, changes.has(i) ? `u${i}@changed.example.com` : undefined));
  for (let i = DAY1; i < DAY1 + added; i++) lines.push(userLine(i));
  return `${lines.join('\n')}\n`;
}

const writes = (px: EmulatorHandle) => {
  const routes = px.stats().byRoute;
  let n = 0;
  for (const [route, statuses] of Object.entries(routes)) {
    if (route.startsWith('PUT') || route.startsWith('POST'))
      for (const count of Object.values(statuses)) n += count;
  }
  return n;
};

/** Incremental sync: the ledger of what PX holds, per target. */
describe('incremental sync: --changed-only sends only what changed; --plan sends nothing', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir } = suite);
    config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 2000 }), 'sync.json');
  });
  const ledger = () => join(dir, 'ledger');
  const load = (file: string, extra: string[] = []) =>
    runInProcess(['-i', '--changed-only', '--ledger', ledger(), '-t', 'USER', '-c', config, ...extra, file], {
      cwd: dir,
    });

  it('day 1, day 2 (20 changed, 10 new), day 2 again, and --plan before day 2', async () => {
    const day1 = join(dir, 'users-2026-12-01.csv');
    await writeFile(day1, export_());
    const first = await load(day1);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `DONE: 0 updated, ${DAY1} inserted, 0 skipped, 0 errors\n`);

    // Tomorrow's export, under a new name: the ledger is the target's, not the file's.
    const changed = Array.from({ length: 20 }, (_, k) => 7 + k * 24);
    const day2 = join(dir, 'users-2026-12-02.csv');
    await writeFile(day2, export_(changed, 10));

    const before = writes(px);
    const report = join(dir, 'plan.json');
    const plan = await runInProcess(
      ['--plan', '--ledger', ledger(), '-t', 'USER', '-c', config, '--report', report, day2],
      { cwd: dir },
    );
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(
      plan.stdout,
      `PLAN: 10 new, 20 changed, ${DAY1 - 20} unchanged, 0 ids on more than one row, 0 invalid rows\n`,
    );
    assert.equal(writes(px), before, '--plan sends no request that writes');
    assert.deepEqual(JSON.parse(await readFile(report, 'utf8')).plan, {
      new: 10,
      changed: 20,
      unchanged: DAY1 - 20,
      inDoubt: 0,
      repeatedIds: 0,
      invalid: 0,
    });

    const second = await load(day2, ['--report', join(dir, 'day2.json')]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, `DONE: 20 updated, 10 inserted, ${DAY1 - 20} skipped, 0 errors\n`);
    // The 20 ids the ledger holds go PUT first. The 10 it lacks meet a cold write order: 8
    // probes go PUT first (404, then POST), and their answers turn the last 2 into one POST.
    assert.equal(
      writes(px) - before,
      20 + 8 * 2 + 2,
      "only those 30 rows' requests: 20 PUTs, 8 PUT+POST, 2 POSTs",
    );
    const day2Report = JSON.parse(await readFile(join(dir, 'day2.json'), 'utf8'));
    assert.deepEqual(day2Report.skippedByReason, { unchanged: DAY1 - 20 });
    assert.equal(day2Report.ledger.unchanged, DAY1 - 20);
    const users = new Map((await dump(px, 'users')).map((u) => [u.identifyId, u.email]));
    for (const i of changed) assert.equal(users.get(`u-${i}`), `u${i}@changed.example.com`);
    assert.equal(users.size, DAY1 + 10);

    const again = writes(px);
    const third = await load(day2);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(third.stdout, `DONE: 0 updated, 0 inserted, ${DAY1 + 10} skipped, 0 errors\n`);
    assert.equal(writes(px), again, 'day 2 again: no write at all');

    // --full-resync sends everything, and the ledger stays right.
    const full = await runInProcess(
      ['-i', '--full-resync', '--ledger', ledger(), '-t', 'USER', '-c', config, day2],
      { cwd: dir },
    );
    assert.equal(full.stdout, `DONE: ${DAY1 + 10} updated, 0 inserted, 0 skipped, 0 errors\n`);
  });

  it('a changed mapping makes rows count as changed; a plain load keeps an existing ledger current', async () => {
    const file = join(dir, 'mapping.csv');
    await writeFile(file, export_().split('\n').slice(0, 51).join('\n'));
    const own = join(dir, 'ledger-mapping');
    const run = (cfg: string, flags: string[]) =>
      runInProcess(['-i', ...flags, '--ledger', own, '-t', 'USER', '-c', cfg, file], { cwd: dir });
    assert.equal((await run(config, ['--changed-only'])).code, 0);
    assert.match((await run(config, ['--changed-only'])).stdout, /0 updated, 0 inserted, 50 skipped/);
    // The same file with one more field mapped (title dropped): every body changes.
    const base = exampleConfig(px.baseUrl, { rate: 2000 }) as Record<string, unknown>;
    const mapping = { ...(base.fieldMapping as { USER: Record<string, string> }).USER };
    delete mapping.title;
    const other = await writeConfig(dir, { ...base, fieldMapping: { USER: mapping } }, 'other-mapping.json');
    assert.match((await run(other, ['--changed-only'])).stdout, /DONE: 50 updated, 0 inserted, 0 skipped/);
    // A plain load (no flag) with the first mapping updates the existing ledger...
    assert.match((await run(config, [])).stdout, /DONE: 50 updated/);
    // ...so the next --changed-only knows PX holds those bodies.
    assert.match((await run(config, ['--changed-only'])).stdout, /0 updated, 0 inserted, 50 skipped/);
  });

  it('kill -9 in the middle of day 2, then a rerun: PX ends as the file says, re-sending only what the ledger had not confirmed', async () => {
    const slow = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 5 } });
    try {
      const cfg = await writeConfig(dir, exampleConfig(slow.baseUrl, { rate: 300 }), 'slow.json');
      const own = join(dir, 'ledger-kill');
      const args = (file: string) => ['-i', '--changed-only', '--ledger', own, '-t', 'USER', '-c', cfg, file];
      const day1 = join(dir, 'kill-day1.csv');
      await writeFile(day1, export_());
      assert.equal((await runInProcess(args(day1), { cwd: dir })).code, 0);
      const changed = Array.from({ length: DAY1 / 2 }, (_, k) => k * 2);
      const day2 = join(dir, 'kill-day2.csv');
      await writeFile(day2, export_(changed));
      const putsBefore = slow.stats().byRoute['PUT /v1/users/{id}']?.['204'] ?? 0;
      // kill -9: a real process, killed.
      const run = startPxstream(args(day2), { cwd: dir });
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          const puts = (slow.stats().byRoute['PUT /v1/users/{id}']?.['204'] ?? 0) - putsBefore;
          if (puts >= DAY1 / 5 || run.child.exitCode !== null) {
            clearInterval(poll);
            resolve();
          }
        }, 5);
      });
      run.child.kill('SIGKILL');
      assert.equal((await run.done).signal, 'SIGKILL', 'killed mid-load');
      const appliedAtKill = (await dump(slow, 'users')).filter((u) =>
        String(u.email).includes('@changed.'),
      ).length;
      const putsAtKill = slow.stats().byRoute['PUT /v1/users/{id}']?.['204'] ?? 0;
      // What the ledger kept through the kill: the changed rows it holds as confirmed count as
      // unchanged now, beside the half of the file that never changed.
      const planReport = join(dir, 'kill-plan.json');
      const plan = await runInProcess(
        ['--plan', '--ledger', own, '-t', 'USER', '-c', cfg, '--report', planReport, day2],
        { cwd: dir },
      );
      assert.equal(plan.code, 0, plan.stderr);
      const planned = JSON.parse(await readFile(planReport, 'utf8')).plan;
      const committed = planned.unchanged - (DAY1 - changed.length);
      const rerun = await runInProcess(args(day2), { cwd: dir });
      assert.equal(rerun.code, 0, rerun.stderr);
      const users = await dump(slow, 'users');
      assert.equal(users.length, DAY1);
      for (const i of changed) {
        assert.equal(users.find((u) => u.identifyId === `u-${i}`)?.email, `u${i}@changed.example.com`);
      }
      // The rerun sends exactly what the ledger had not confirmed: the rows PX never got, and
      // those PX had applied whose confirmations the kill cut off (the last ledger batch: it
      // commits every 100 ms, about 30 rows at 300/s on an idle machine, plus those in flight).
      // Every confirmed row is skipped, and the ledger confirmed only rows PX had applied.
      const putsAfter = (slow.stats().byRoute['PUT /v1/users/{id}']?.['204'] ?? 0) - putsAtKill;
      assert.equal(putsAfter, planned.changed + planned.inDoubt, 'the rerun sends what the plan said');
      assert.ok(
        committed > 0 && committed <= appliedAtKill,
        `the ledger confirmed ${committed} rows before the kill, PX had applied ${appliedAtKill}`,
      );
    } finally {
      await slow.close();
    }
  });
});
