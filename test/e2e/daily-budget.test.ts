import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { type LogEntry, load } from '@pxstream/load';
import { LEDGERS, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { writeUsersCsv } from '../helpers/data.js';
import { emulatorSuite } from '../helpers/suite.js';

const ROWS = 20;

/**
 * `--daily-budget`: requests to one PX per UTC day, counted across runs. The users are not in
 * PX and the loads update only: each row is one `PUT` (answered 404, skipped), plus one
 * request for the pre-flight: 21 requests a load.
 */
describe('pxstream --daily-budget', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir } = suite);
    config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 500 }), 'budget.json');
  });
  const input = async (name: string) => {
    const path = join(dir, name);
    await writeUsersCsv(path, ROWS, { prefix: name.slice(0, 1), badEvery: 1000 });
    return path;
  };
  const report = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

  it('counts across runs; at the cap with --no-wait it stops with a checkpoint, exit 1 and when to resume', async () => {
    const first = await runInProcess(
      ['-t', 'USER', '-c', config, '--daily-budget', '1000', '--report', 'a.json', await input('a.csv')],
      { cwd: dir },
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /, 21 requests today of the daily budget of 1000\n/);
    assert.equal((await report(join(dir, 'a.json'))).requestsToday, 21);

    const second = await runInProcess(
      ['-t', 'USER', '-c', config, '--daily-budget', '1000', '--report', 'b.json', await input('b.csv')],
      { cwd: dir },
    );
    assert.equal(second.code, 0, second.stderr);
    assert.equal((await report(join(dir, 'b.json'))).requestsToday, 42, 'the first run counted');

    const requests = px.stats().requests;
    const third = await runInProcess(
      [
        ...['-t', 'USER', '-c', config, '--daily-budget', '50', '--no-wait'],
        ...['--report', 'c.json', await input('c.csv')],
      ],
      { cwd: dir },
    );
    assert.equal(third.code, 1, third.stderr);
    assert.match(third.stderr, /error: the daily budget of 50 requests \(--daily-budget\) is used/);
    assert.match(
      third.stderr,
      /the daily budget is used until 00:00 UTC \(in \d+h\d\dm\): then run the same command with --resume to carry on \(checkpoint: .*c\.checkpoint\.json\)/,
    );
    const stopped = await report(join(dir, 'c.json'));
    assert.equal(stopped.error.code, 'PX_DAILY_BUDGET');
    assert.equal(stopped.requestsToday, 50);
    assert.equal(px.stats().requests - requests, 8, 'no request past the budget');
  });

  it('at the cap it waits for 00:00 UTC, sending nothing, and carries on with the new day', async () => {
    // A clock 1.5 s before midnight UTC: the wait takes that long.
    const started = Date.now();
    const beforeMidnight = Date.UTC(2026, 5, 1, 23, 59, 58, 500);
    const clock = () => beforeMidnight + (Date.now() - started);
    const logs: LogEntry[] = [];
    const sent = px.stats().requests;
    const result = await load({
      config: exampleConfig(px.baseUrl, { rate: 500 }),
      type: 'USER',
      input: await input('d.csv'),
      dailyBudget: 15,
      clock,
      env: { PXSTREAM_LEDGER_DIR: LEDGERS },
      cwd: dir,
      onLog: (entry) => logs.push(entry),
    });
    const elapsed = Date.now() - started;
    assert.equal(px.stats().requests - sent, 21);
    assert.equal(result.skipped, ROWS);
    assert.equal(result.requestsToday, 6, 'the new day counts the requests sent after midnight');
    assert.equal(result.waits, 1);
    assert.ok(result.waitedMs >= 1000 && elapsed >= 1400, `waited ${result.waitedMs} ms, ran ${elapsed} ms`);
    const codes = logs.map((entry) => entry.code).filter(Boolean);
    assert.deepEqual(codes, ['BUDGET_WAIT_START', 'BUDGET_WAIT_END']);
    assert.match(
      logs.find((entry) => entry.code === 'BUDGET_WAIT_START')!.message,
      /the daily budget of 15 requests \(`dailyBudget`\) is used: 15 requests sent to this PX today \(UTC\); waiting for 00:00 UTC/,
    );
  });

  it('--plan says the requests a load needs and the days they take at the budget, else at PX quota', async () => {
    const path = await input('e.csv');
    const ledger = join(dir, 'plan-ledger');
    const args = ['--plan', '--ledger', ledger, '-t', 'USER', '-c', config];
    const budgeted = await runInProcess([...args, '--daily-budget', '7', '--report', 'e.json', path], {
      cwd: dir,
    });
    assert.equal(budgeted.code, 0, budgeted.stderr);
    assert.match(
      budgeted.stderr,
      /a load would send about 20 requests: 3 days at the daily budget of 7 requests/,
    );
    assert.deepEqual((await report(join(dir, 'e.json'))).planRequests, {
      requests: 20,
      perDay: 7,
      days: 3,
      fromLedger: false,
    });
    const quota = await runInProcess([...args, path], { cwd: dir });
    assert.match(quota.stderr, /about 20 requests: 1 day at PX's quota of 1000000 requests a day/);
  });
});
