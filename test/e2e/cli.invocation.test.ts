import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, ROOT, runInProcess, runPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleJsonlConfig } from '../helpers/configs.js';
import { dump } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const usersCsv = join(EXAMPLES, 'users.csv');

describe('pxstream invocation forms', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir, config } = suite));

  // The two entry forms through the bin, as real processes: Gainsight's classic invocation,
  // and the piped form reading the process's own stdin. The other tests run the CLI in-process.
  it("Gainsight's classic form inserts missing users with camelCase flags", async () => {
    px.reset();
    const run = await runPxstream(['--insertMissing', config, 'USER', usersCsv], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 0 updated, 300 inserted, 0 skipped, 0 errors$/m);
    const users = await dump(px, 'users');
    assert.equal(users.length, 300);
    const first = users.find((u) => u.identifyId === 'user-0001')!;
    assert.equal(first.email, 'kwame.1@example.com');
    assert.equal(first.lastName, "O'Brien");
    assert.equal(typeof first.score, 'number');
    assert.equal(first.globalUnsubscribe, true);
    assert.equal(typeof first.signUpDate, 'number');
    assert.deepEqual(first.propertyKeys, ['AP-DEMO00000000-2']);
    assert.deepEqual((first.customAttributes as Record<string, unknown>).plan, 'pro');
    assert.equal(
      ((first.location as Record<string, unknown>).coordinates as Record<string, unknown>).latitude,
      48.7788,
    );
  });

  it('the piped form reads stdin and updates the users loaded before', async () => {
    const csv = await readFile(usersCsv);
    const run = await runPxstream(['--type', 'USER', '--config', config], { cwd: dir, stdin: csv });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 300 updated, 0 inserted, 0 skipped, 0 errors$/m);
  });

  it('update mode skips rows that match no record', async () => {
    px.reset();
    const run = await runInProcess(['-t', 'user', '-c', config, usersCsv], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 0 updated, 0 inserted, 300 skipped, 0 errors$/m);
    assert.equal((await dump(px, 'users')).length, 0);
  });

  it('reads JSON-lines by extension, mapping nested source fields by dot path', async () => {
    px.reset();
    const jsonlConfig = await writeConfig(dir, exampleJsonlConfig(px.baseUrl), 'jsonl.json');
    const run = await runInProcess(['-t', 'USER', '-c', jsonlConfig, '-i', join(EXAMPLES, 'users.jsonl')], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 0 updated, 50 inserted, 0 skipped, 0 errors$/m);
    const user = (await dump(px, 'users')).find((u) => u.identifyId === 'user-0001')!;
    assert.equal(user.email, 'person.1@example.com');
    assert.equal((user.location as Record<string, unknown>).city !== undefined, true);
  });

  it('reads JSON-lines from stdin with --format jsonl and "-"', async () => {
    px.reset();
    const jsonlConfig = await writeConfig(dir, exampleJsonlConfig(px.baseUrl), 'jsonl.json');
    const run = await runInProcess(['-t', 'USER', '-c', jsonlConfig, '-f', 'jsonl', '-i', '-'], {
      cwd: dir,
      stdin: await readFile(join(EXAMPLES, 'users.jsonl')),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 0 updated, 50 inserted, 0 skipped, 0 errors$/m);
  });

  it('loads accounts', async () => {
    const run = await runInProcess(['-i', '-t', 'ACCOUNT', '-c', config, join(EXAMPLES, 'accounts.csv')], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 0 updated, 20 inserted, 0 skipped, 0 errors$/m);
    const account = (await dump(px, 'accounts')).find((a) => a.id === 'ACC-001')!;
    assert.equal(typeof account.numberOfEmployees, 'number');
  });

  it('--start-row and --last-row load only that 0-based range', async () => {
    px.reset();
    const run = await runInProcess(['-i', '-t', 'USER', '-c', config, '-n', '10', '-l', '19', usersCsv], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 0 updated, 10 inserted, 0 skipped, 0 errors$/m);
    const ids = (await dump(px, 'users')).map((u) => u.identifyId).sort();
    assert.deepEqual(
      ids,
      Array.from({ length: 10 }, (_, i) => `user-${String(i + 11).padStart(4, '0')}`),
    );
  });

  it('--version prints the version; --help wraps at word boundaries within 80 columns', async () => {
    // --version through the bin, a real process; --help in this process.
    const version = await runPxstream(['--version']);
    const pkg = JSON.parse(await readFile(join(ROOT, 'packages/pxstream/package.json'), 'utf8'));
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), pkg.version);
    const help = await runInProcess(['--help']);
    assert.equal(help.code, 0);
    const long = help.stdout.split('\n').filter((line) => line.length > 80);
    assert.deepEqual(long, []);
    // A phrase that used to be cut in the middle keeps its words together.
    assert.match(help.stdout, /\n {6}continue after Ctrl-C, SIGTERM, a crash or --no-wait\n/);
    assert.match(
      help.stdout.replace(/\s+/g, ' '),
      /1 fatal error \(also PX unavailable or the daily budget used with --no-wait: resume later with --resume\)/,
    );
  });
});
