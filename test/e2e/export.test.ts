/**
 * `pxstream export` over real sockets: the config's columns turned around, formats, gzip,
 * filters, every field, odd ids, and the round trip: an export loaded into an empty PX gives
 * the same records.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { emulator, seed, stableRecords } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const COLUMNS =
  'id,email,first_name,last_name,title,city,state,country,latitude,longitude,signup,plan,score,unsubscribed,account';

describe('pxstream export', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  /** An empty PX to load exports back into, and the example config pointed at it. */
  let empty: EmulatorHandle;
  let emptyConfig: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir, config } = suite);
    const run = await runInProcess([
      '-i',
      '-t',
      'USER',
      '-c',
      config,
      '--rate',
      '2000',
      join(EXAMPLES, 'users.csv'),
    ]);
    assert.equal(run.code, 0, run.stderr);
  });
  before(async () => {
    empty = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES });
    emptyConfig = await writeConfig(dir, exampleConfig(empty.baseUrl), 'empty-config.json');
  });
  after(() => empty.close());

  const exportUsers = (args: string[]) =>
    runInProcess(['export', '-t', 'USER', '-c', config, ...args], { cwd: dir });

  /** Loads `file` into the empty PX (emptied first) and returns its users next to the source's. */
  async function loadBack(file: string) {
    empty.reset();
    const run = await runInProcess(['-i', '-t', 'USER', '-c', emptyConfig, '--rate', '2000', file], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    return { source: await stableRecords(px, 'users'), loaded: await stableRecords(empty, 'users') };
  }

  it('writes the mapping as CSV on stdout: its columns, one row per user, the summary on stderr', async () => {
    const run = await exportUsers([]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines[0], COLUMNS);
    assert.equal(lines.length, 301);
    // Dates as ISO 8601 UTC, numbers and booleans as the loader reads them, empty where PX has none.
    assert.equal(
      lines[1],
      "user-0001,kwame.1@example.com,Kwame,O'Brien,Designer,Paris,IDF,FR,48.7788,2.3666,2024-11-02T06:52:00.000Z,pro,4,true,ACC-014",
    );
    assert.match(run.stderr, /300 users to export/);
    assert.match(run.stderr, /^EXPORT: 300 records, 1 requests$/m);
  });

  it('the round trip is exact: a CSV export loaded into an empty PX gives the same records', async () => {
    const run = await exportUsers(['-o', 'users-export.csv']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'EXPORT: 300 records, 1 requests\n');
    const { source, loaded } = await loadBack('users-export.csv');
    assert.equal(loaded.length, 300);
    assert.deepEqual(loaded, source);
  });

  it('-o x.jsonl.gz writes gzip JSON-lines (typed values) that load back the same', async () => {
    const run = await exportUsers(['-o', 'users-export.jsonl.gz']);
    assert.equal(run.code, 0, run.stderr);
    const lines = gunzipSync(await readFile(join(dir, 'users-export.jsonl.gz')))
      .toString()
      .trimEnd()
      .split('\n');
    assert.equal(lines.length, 300);
    assert.deepEqual(JSON.parse(lines[0]!), {
      id: 'user-0001',
      email: 'kwame.1@example.com',
      first_name: 'Kwame',
      last_name: "O'Brien",
      title: 'Designer',
      city: 'Paris',
      state: 'IDF',
      country: 'FR',
      latitude: 48.7788,
      longitude: 2.3666,
      signup: '2024-11-02T06:52:00.000Z',
      plan: 'pro',
      score: 4,
      unsubscribed: true,
      account: 'ACC-014',
    });
    const { source, loaded } = await loadBack('users-export.jsonl.gz');
    assert.deepEqual(loaded, source);
  });

  it('accounts: a JSON export loads back to the same accounts', async () => {
    const load = await runInProcess(['-i', '-t', 'ACCOUNT', '-c', config, join(EXAMPLES, 'accounts.csv')]);
    assert.equal(load.code, 0, load.stderr);
    const run = await runInProcess(['export', '-t', 'ACCOUNT', '-c', config, '-o', 'accounts.json'], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'EXPORT: 20 records, 1 requests\n');
    empty.reset();
    const back = await runInProcess(['-i', '-t', 'ACCOUNT', '-c', emptyConfig, 'accounts.json'], {
      cwd: dir,
    });
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(await stableRecords(empty, 'accounts'), await stableRecords(px, 'accounts'));
  });

  it('-f json writes one JSON array', async () => {
    const run = await exportUsers(['-f', 'json', '--filter', 'identifyId==user-0002']);
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      rows.map((row) => [row.id, row.unsubscribed, row.score]),
      [['user-0002', undefined, 73]],
    );
  });

  it('--filter: PX filters passed through, repeated for OR', async () => {
    const users = await stableRecords(px, 'users');
    const plan = (name: string) =>
      users.filter((u) => (u.customAttributes as { plan?: string })?.plan === name);
    const pro = await exportUsers(['-f', 'jsonl', '--filter', 'customAttributes.plan==pro']);
    assert.equal(pro.code, 0, pro.stderr);
    assert.equal(pro.stdout.trimEnd().split('\n').length, plan('pro').length);
    const either = await exportUsers([
      '-f',
      'jsonl',
      '--filter',
      'customAttributes.plan==pro;location.countryCode==US',
      '--filter',
      'identifyId==user-0002',
    ]);
    const ids = either.stdout
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    const expected = users
      .filter(
        (u) =>
          u.identifyId === 'user-0002' ||
          ((u.customAttributes as { plan?: string })?.plan === 'pro' &&
            (u.location as { countryCode?: string })?.countryCode === 'US'),
      )
      .map((u) => u.identifyId);
    assert.deepEqual(ids, expected);
  });

  it('--all-fields writes every field as JSON-lines, nested fields as dotted paths', async () => {
    const run = await exportUsers(['--all-fields', '--filter', 'identifyId==user-0001']);
    assert.equal(run.code, 0, run.stderr);
    const [record, ...rest] = run.stdout.trimEnd().split('\n');
    assert.equal(rest.length, 0);
    const fields = JSON.parse(record!) as Record<string, unknown>;
    assert.equal(fields.identifyId, 'user-0001');
    assert.equal(fields['location.city'], 'Paris');
    assert.equal(fields['location.coordinates.latitude'], 48.7788);
    assert.equal(fields['customAttributes.plan'], 'pro');
    assert.deepEqual(fields.propertyKeys, ['AP-DEMO00000000-2']);
    assert.equal(fields.signUpDate, Date.parse('2024-11-02T06:52:00Z'));
    assert.equal(typeof fields.createDate, 'number', 'read-only fields too');
    assert.ok(!('location' in fields));
  });

  it('odd ids (/ ? # % spaces, dots, unicode) come out whole and load back to the same ids', async () => {
    const odd = ['a/b', 'q?x=1', 'h#1', '50%', ' lead space', '..', 'update', 'ünï-😀', 'a,b"c'];
    const oddConfig = await writeConfig(dir, exampleConfig(empty.baseUrl), 'odd-config.json');
    empty.reset();
    await seed(empty, {
      users: odd.map((identifyId) => ({ identifyId, propertyKeys: ['AP-DEMO00000000-2'] })),
    });
    const run = await runInProcess(['export', '-t', 'USER', '-c', oddConfig, '-o', 'odd.csv'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const before = await stableRecords(empty, 'users');
    empty.reset();
    const back = await runInProcess(['-i', '-t', 'USER', '-c', oddConfig, 'odd.csv'], { cwd: dir });
    assert.equal(back.code, 0, back.stderr);
    const after = await stableRecords(empty, 'users');
    assert.deepEqual(after, before);
    assert.deepEqual(after.map((u) => u.identifyId).sort(), [...odd].sort());
  });

  it('refuses what cannot be exported (exit 2) and leaves no file on a failure (exit 1)', async () => {
    const events = await exportUsers(['-t', 'CUSTOM_EVENT']);
    assert.equal(events.code, 2);
    assert.match(events.stderr, /USER or ACCOUNT/);
    const csvAll = await exportUsers(['--all-fields', '-f', 'csv']);
    assert.equal(csvAll.code, 2);
    assert.match(csvAll.stderr, /--all-fields writes JSON-lines or JSON/);
    const overwrite = await exportUsers(['-o', config]);
    assert.equal(overwrite.code, 2);
    assert.match(overwrite.stderr, /would overwrite the config/);

    const badFilter = await exportUsers(['-o', 'bad.csv', '--filter', 'no operator here']);
    assert.equal(badFilter.code, 1);
    assert.match(badFilter.stderr, /HTTP 400/);
    const files = await readdir(dir);
    assert.ok(!files.some((file) => file.startsWith('bad.csv')), files.join(', '));
  });
});
