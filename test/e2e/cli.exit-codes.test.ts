import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, runPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { emulatorSuite } from '../helpers/suite.js';

const withErrors = join(EXAMPLES, 'users-with-errors.csv');
const USERS = join(EXAMPLES, 'users.csv');

describe('pxstream exit codes', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir, config } = suite));

  const usage: Array<[string, string[], RegExp]> = [
    ['no record type', ['-c', 'x.json', 'in.csv'], /no record type/],
    ['an unknown flag', ['-t', 'USER', '--frobnicate'], /unknown option/],
    ['an unknown type', ['-t', 'LEADS', 'in.csv'], /unknown record type "LEADS"/],
    ['two positionals', ['a.json', 'USER'], /expected \[input\]/],
    ['--insert-missing on events', ['-i', '-t', 'CUSTOM_EVENT', 'in.csv'], /--insert-missing does not apply/],
    ['a bad --rate', ['-t', 'USER', '--rate', 'fast', 'in.csv'], /--rate takes a number/],
    ['last row before start row', ['-t', 'USER', '-n', '5', '-l', '2', 'in.csv'], /before --start-row/],
  ];
  for (const [name, args, message] of usage) {
    it(`exits 2 on ${name}`, async () => {
      // One of them as the exit status of a real process; the others in this process.
      const run = await (name === 'an unknown flag' ? runPxstream : runInProcess)(args, { cwd: dir });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /at .*\.js:\d+/, 'no stack trace');
    });
  }

  it('`pxstream emulator` with a bad flag exits 2 (usage), like pxstream-emulator', async () => {
    const run = await runInProcess(['emulator', '--no-such-flag']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Unknown option '--no-such-flag'/);
  });

  it('--start-row past the last row says so; a start row beyond 2^53 is a usage error', async () => {
    const past = await runInProcess(['-t', 'USER', '-c', config, '-n', '500', USERS], { cwd: dir });
    assert.equal(past.code, 0, past.stderr);
    assert.match(past.stderr, /no data row at or after --start-row 500/);
    const huge = await runInProcess(['-t', 'USER', '-c', config, '-n', '99999999999999999999', USERS], {
      cwd: dir,
    });
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /--start-row takes a whole number from 0 to 9007199254740991/);
  });

  it('names every record type when none is given, and --help says what the tool loads', async () => {
    const run = await runInProcess(['-c', config, USERS], { cwd: dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--type USER\|ACCOUNT\|CUSTOM_EVENT\|USER_PREFERENCES/);
    const help = await runInProcess(['--help']);
    assert.match(help.stdout, /users, accounts, custom events and user preferences/);
  });

  it('exits 0 and prints help with --help', async () => {
    const run = await runInProcess(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--insert-missing/);
    assert.match(run.stdout, /<config\.json> <TYPE> <input>/);
  });

  it('exits 1 when the config file is missing', async () => {
    const run = await runInProcess(['-t', 'USER', '-c', join(dir, 'nope.json'), withErrors], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /nope\.json/);
    assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
  });

  it('exits 1 when the config is not valid JSON, naming line and column', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{\n  "productKey": "AP-1",\n  "fieldMapping": {,\n}');
    const run = await runInProcess(['-t', 'USER', '-c', bad, withErrors], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /line 3/);
  });

  it('exits 1 when the input cannot be read, before anything is sent', async () => {
    const before = px.stats().requests;
    const run = await runInProcess(['-t', 'USER', '-c', config, join(dir, 'missing.csv')], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot read input .*missing\.csv: no such file$/m);
    assert.equal(px.stats().requests, before);
    // In words, not errno codes: a directory, or a path through a file.
    for (const [input, reason] of [
      [dir, 'is a directory'],
      [join(EXAMPLES, 'users.csv', 'x'), 'a part of the path is not a directory'],
    ] as const) {
      const other = await runInProcess(['-t', 'USER', '-c', config, input], { cwd: dir });
      assert.equal(other.code, 1);
      assert.match(other.stderr, new RegExp(`cannot read input .*: ${reason}$`, 'm'));
      assert.doesNotMatch(other.stderr, /ENOTDIR|EISDIR/);
    }
    assert.equal(px.stats().requests, before);
  });

  it('exits 1 on a bad API key, before any row is sent', async () => {
    const badKey = await writeConfig(
      dir,
      exampleConfig(px.baseUrl, { apiKey: 'wrong-key-123' }),
      'badkey.json',
    );
    const run = await runInProcess(['-t', 'USER', '-c', badKey, join(EXAMPLES, 'users.csv')], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /API key/);
    assert.equal((await px.stats()).records.users, 0);
  });

  it('exits 1 when the rejects file cannot be written, before anything is sent', async () => {
    const locked = join(dir, 'locked');
    await writeFile(locked, '');
    await chmod(locked, 0o400);
    const before = px.stats().requests;
    const run = await runInProcess(
      ['-t', 'USER', '-c', config, '--errors', join(locked, 'r.csv'), withErrors],
      {
        cwd: dir,
      },
    );
    assert.equal(run.code, 1);
    assert.equal(px.stats().requests, before, 'nothing sent');
  });

  it('exits 3 when rows are rejected, with a replayable rejects file and a report', async () => {
    px.reset();
    const report = join(dir, 'report.json');
    // The exit status of a real process.
    const run = await runPxstream(['-i', '-t', 'USER', '-c', config, '--report', report, withErrors], {
      cwd: dir,
    });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /^DONE: 0 updated, 2 inserted, 0 skipped, 6 errors$/m);
    const rejects = await readFile(join(dir, 'users-with-errors_rejects.csv'), 'utf8');
    const lines = rejects.trim().split('\n');
    assert.equal(
      lines[0],
      'id,email,first_name,last_name,title,city,state,country,latitude,longitude,signup,plan,score,unsubscribed,account,_line,_stage,_code,_status,_message',
    );
    assert.equal(lines.length, 7);
    const byLine = new Map(lines.slice(1).map((l) => [l.match(/,(\d+),(parse|map|validate|send),/)?.[1], l]));
    assert.deepEqual([...byLine.keys()].sort(), ['3', '4', '5', '6', '7', '8']);
    assert.match(byLine.get('4')!, /,map,MAP_INVALID_DATE,/);
    assert.match(byLine.get('4')!, /^user-9003,ok\.3@example\.com,/);
    assert.match(byLine.get('8')!, /,parse,CSV_RECORD_INCONSISTENT_FIELDS_LENGTH,/);
    const json = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(json.rows.read, 8);
    assert.equal(json.rows.inserted, 2);
    assert.equal(json.rows.rejected, 6);
    assert.equal(json.rows.notSent, 0);
    assert.equal(json.exitCode, 3);
    assert.equal(json.rejectedByCode.MAP_INVALID_DATE, 1);
    assert.equal(json.rejectedByStage.parse, 1);
    assert.ok(json.requests >= 4, 'PUT then POST for the two good rows');
    assert.equal(typeof json.durationMs, 'number');
    assert.equal(typeof json.rowsPerSecond, 'number');
  });

  it('exits 0 with no rejects file left behind when every row loads', async () => {
    const run = await runInProcess(['-i', '-t', 'ACCOUNT', '-c', config, join(EXAMPLES, 'accounts.csv')], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    await assert.rejects(readFile(join(dir, 'accounts_rejects.csv')), { code: 'ENOENT' });
  });
});
