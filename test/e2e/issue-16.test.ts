import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runPxstream, startPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { USER_HEADER } from '../helpers/data.js';
import { dump, emulator } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const DAY1 = 2000;

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

/** Day 1: 2,000 users. Day 2: the same, with `changed` rows' emails changed and `added` new users. */
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

/** Issue 16: incremental sync. */
describe('issue 16: --changed-only sends only what changed; --plan sends nothing', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir } = suite);
    config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 2000 }), 'sync.json');
  });
  const ledger = () => join(dir, 'ledger');
  const load = (file: string, extra: string[] = []) =>
    runPxstream(['-i', '--changed-only', '--ledger', ledger(), '-t', 'USER', '-c', config, ...extra, file], {
      cwd: dir,
    });

  it('day 1, day 2 (20 changed, 10 new), day 2 again, and --plan before day 2', async () => {
    const day1 = join(dir, 'users-2026-12-01.csv');
    await writeFile(day1, export_());
    const first = await load(day1);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `DONE: 0 updated, ${DAY1} inserted, 0 skipped, 0 errors\n`);

    // Tomorrow's export, under a new name: the ledger is the target's, not the file's.
    const changed = Array.from({ length: 20 }, (_, k) => 7 + k * 97);
    const day2 = join(dir, 'users-2026-12-02.csv');
    await writeFile(day2, export_(changed, 10));

    const before = writes(px);
    const report = join(dir, 'plan.json');
    const plan = await runPxstream(
      ['--plan', '--ledger', ledger(), '-t', 'USER', '-c', config, '--report', report, day2],
      { cwd: dir },
    );
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(
      plan.stdout,
      'PLAN: 10 new, 20 changed, 1980 unchanged, 0 ids on more than one row, 0 invalid rows\n',
    );
    assert.equal(writes(px), before, '--plan sends no request that writes');
    assert.deepEqual(JSON.parse(await readFile(report, 'utf8')).plan, {
      new: 10,
      changed: 20,
      unchanged: 1980,
      inDoubt: 0,
      repeatedIds: 0,
      invalid: 0,
    });

    const second = await load(day2, ['--report', join(dir, 'day2.json')]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'DONE: 20 updated, 10 inserted, 1980 skipped, 0 errors\n');
    assert.equal(writes(px) - before, 20 + 10 + 10, "only those 30 rows' requests: 20 PUTs, 10 PUT+POST");
    const day2Report = JSON.parse(await readFile(join(dir, 'day2.json'), 'utf8'));
    assert.deepEqual(day2Report.skippedByReason, { unchanged: 1980 });
    assert.equal(day2Report.ledger.unchanged, 1980);
    const users = new Map((await dump(px, 'users')).map((u) => [u.identifyId, u.email]));
    for (const i of changed) assert.equal(users.get(`u-${i}`), `u${i}@changed.example.com`);
    assert.equal(users.size, DAY1 + 10);

    const again = writes(px);
    const third = await load(day2);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(third.stdout, `DONE: 0 updated, 0 inserted, ${DAY1 + 10} skipped, 0 errors\n`);
    assert.equal(writes(px), again, 'day 2 again: no write at all');

    // --full-resync sends everything, and the ledger stays right.
    const full = await runPxstream(
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
      runPxstream(['-i', ...flags, '--ledger', own, '-t', 'USER', '-c', cfg, file], { cwd: dir });
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

  it('kill -9 in the middle of day 2, then a rerun: PX ends as the file says, re-sending at most a batch', async () => {
    const slow = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 5 } });
    try {
      const cfg = await writeConfig(dir, exampleConfig(slow.baseUrl, { rate: 300 }), 'slow.json');
      const own = join(dir, 'ledger-kill');
      const args = (file: string) => ['-i', '--changed-only', '--ledger', own, '-t', 'USER', '-c', cfg, file];
      const day1 = join(dir, 'kill-day1.csv');
      await writeFile(day1, export_());
      assert.equal((await runPxstream(args(day1), { cwd: dir })).code, 0);
      const changed = Array.from({ length: 1000 }, (_, k) => k * 2);
      const day2 = join(dir, 'kill-day2.csv');
      await writeFile(day2, export_(changed));
      const putsBefore = slow.stats().byRoute['PUT /v1/users/{id}']?.['204'] ?? 0;
      const run = startPxstream(args(day2), { cwd: dir });
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if ((slow.stats().byRoute['PUT /v1/users/{id}']?.['204'] ?? 0) - putsBefore >= 400) {
            clearInterval(poll);
            resolve();
          }
        }, 5);
      });
      run.child.kill('SIGKILL');
      await run.done;
      const appliedAtKill = (await dump(slow, 'users')).filter((u) =>
        String(u.email).includes('@changed.'),
      ).length;
      const putsAtKill = slow.stats().byRoute['PUT /v1/users/{id}']?.['204'] ?? 0;
      const rerun = await runPxstream(args(day2), { cwd: dir });
      assert.equal(rerun.code, 0, rerun.stderr);
      const users = await dump(slow, 'users');
      assert.equal(users.length, DAY1);
      for (const i of changed) {
        assert.equal(users.find((u) => u.identifyId === `u-${i}`)?.email, `u${i}@changed.example.com`);
      }
      // Rows PX had applied whose confirmations the kill cut off are sent again: a ledger
      // batch at most (commits every 100 ms: about 30 rows at 300/s, plus those in flight).
      const resent =
        (slow.stats().byRoute['PUT /v1/users/{id}']?.['204'] ?? 0) - putsAtKill - (1000 - appliedAtKill);
      assert.ok(resent >= 0 && resent <= 100, `${resent} applied rows sent again after the kill`);
    } finally {
      await slow.close();
    }
  });
});

/** Events are not idempotent: the ledger records each event PX confirmed. */
describe('issue 16 and 14: custom events are never sent twice, and never-sent events are not in doubt', () => {
  const EVENTS = 300;
  const eventsCsv = () => {
    const lines = ['user_id,event,occurred_at,account,url,plan,seats'];
    for (let i = 0; i < EVENTS; i++) {
      lines.push(
        `u-${i % 37},signed-in,${Date.UTC(2026, 10, 1) + i * 1000},ACC-1,https://app/x,pro,${i % 9}`,
      );
    }
    return `${lines.join('\n')}\n`;
  };
  const recordedOnce = async (px: EmulatorHandle) => {
    const events = await dump(px, 'events');
    const keys = events.map((e) => `${e.identifyId}|${e.date}`);
    return { total: events.length, distinct: new Set(keys).size };
  };

  it('a finished file run twice, and an interrupted file run again without --resume: each event once', async () => {
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 3 } });
    const { dir, cleanup } = await (await import('../helpers/cli.js')).tempDir();
    try {
      const input = join(dir, 'events.csv');
      await writeFile(input, eventsCsv());
      const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 150 }));
      const args = ['-t', 'CUSTOM_EVENT', '-c', config, input];
      const stopped = await runPxstream(args, {
        cwd: dir,
        interruptWhen: { when: () => px.stats().created.events >= 60 },
      });
      assert.equal(stopped.code, 130, stopped.stderr);
      const again = await runPxstream(args, { cwd: dir });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /events already recorded by PX \(an earlier run\): not sent again/);
      assert.deepEqual(await recordedOnce(px), { total: EVENTS, distinct: EVENTS });
      const twice = await runPxstream(args, { cwd: dir });
      assert.equal(twice.code, 0, twice.stderr);
      assert.equal(twice.stdout, `DONE: 0 updated, 0 inserted, ${EVENTS} skipped, 0 errors\n`);
      assert.match(twice.stderr, new RegExp(`${EVENTS} events already recorded by PX \\(an earlier run\\)`));
      assert.deepEqual(await recordedOnce(px), { total: EVENTS, distinct: EVENTS });
      // --no-ledger is there for those who want the duplicates.
      const dup = await runPxstream(['--no-ledger', ...args], { cwd: dir });
      assert.equal(dup.stdout, `DONE: 0 updated, ${EVENTS} inserted, 0 skipped, 0 errors\n`);
    } finally {
      await px.close();
      await cleanup();
    }
  });

  it('a wrong key stops the load; --resume with the right key lands every event once, none in doubt', async () => {
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 3 } });
    const { dir, cleanup } = await (await import('../helpers/cli.js')).tempDir();
    try {
      const input = join(dir, 'events.csv');
      await writeFile(input, eventsCsv());
      const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 300 }));
      const args = ['-t', 'CUSTOM_EVENT', '-c', config, '--report', join(dir, 'r.json'), input];
      // The key is revoked mid-run: a 401 stops the load with rows in flight and queued.
      const first = startPxstream(args, { cwd: dir });
      const revoke = setInterval(() => {
        if (px.stats().created.events >= 100) {
          clearInterval(revoke);
          px.configure({ apiKeys: ['another-key'] });
        }
      }, 2);
      const stopped = await first.done;
      clearInterval(revoke);
      assert.equal(stopped.code, 1, stopped.stderr);
      assert.match(stopped.stderr, /PX rejected the API key \(HTTP 401\)/);
      px.configure({ apiKeys: [(await import('../helpers/emulator.js')).SECRET_KEY] });
      const resumed = await runPxstream([...args, '--resume'], { cwd: dir });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.doesNotMatch(resumed.stderr, /PX_EVENT_MAYBE_RECORDED|may have reached PX|in doubt/);
      assert.deepEqual(await recordedOnce(px), { total: EVENTS, distinct: EVENTS });
    } finally {
      await px.close();
      await cleanup();
    }
  });

  it('kill -9 mid-run, then a rerun: not one event twice; only the events in flight are in doubt', async () => {
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 30 } });
    const { dir, cleanup } = await (await import('../helpers/cli.js')).tempDir();
    try {
      const input = join(dir, 'events.csv');
      await writeFile(input, eventsCsv());
      const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 300, concurrency: 8 }));
      const args = ['-t', 'CUSTOM_EVENT', '-c', config, '--errors', join(dir, 'rejects.csv'), input];
      const first = startPxstream(args, { cwd: dir });
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (px.stats().created.events >= 100) {
            clearInterval(poll);
            resolve();
          }
        }, 2);
      });
      first.child.kill('SIGKILL');
      await first.done;
      const rerun = await runPxstream(args, { cwd: dir });
      assert.equal(rerun.code === 0 || rerun.code === 3, true, rerun.stderr);
      const { total, distinct } = await recordedOnce(px);
      assert.equal(total, distinct, 'no event recorded twice');
      const rejects = (await readFile(join(dir, 'rejects.csv'), 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line.includes('PX_EVENT_MAYBE_RECORDED'));
      // In doubt: at most the events in flight at the kill (concurrency 8); every other one landed.
      assert.ok(rejects.length <= 8, `${rejects.length} in doubt`);
      assert.ok(total >= EVENTS - rejects.length, `${total} recorded, ${rejects.length} in doubt`);
    } finally {
      await px.close();
      await cleanup();
    }
  });
});
