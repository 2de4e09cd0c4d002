import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig, exampleJsonlConfig } from '../helpers/configs.js';
import { dump, emulator, seed, stableRecords } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

/** 20 new ids, each on three rows: the second and third pass of the file repeat them. */
function threeRowsPerId(): string {
  const lines = ['id,email,score'];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 20; i++) lines.push(`rep-${i},round${round}-${i}@example.com,${round}`);
  }
  return `${lines.join('\n')}\n`;
}

const TYPES = ['USER', 'ACCOUNT', 'CUSTOM_EVENT', 'USER_PREFERENCES'] as const;
const INPUTS: Record<(typeof TYPES)[number], string> = {
  USER: 'users.csv',
  ACCOUNT: 'accounts.csv',
  CUSTOM_EVENT: 'events.csv',
  USER_PREFERENCES: 'preferences.csv',
};

/** Issue 15: no silent surprises. */
describe('issue 15: rows of one id in file order, every type checked first, every no-op explained', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite(
    { customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 3, jitterMs: 15 } },
    (suite) => ({ px, dir, config } = suite),
  );

  it('20 ids x 3 rows end as their last row, with one create each, and the run says the last row won', async () => {
    px.reset();
    const input = join(dir, 'repeated.csv');
    await writeFile(input, threeRowsPerId());
    const mapping = { identifyId: 'id', email: 'email', score: 'score' };
    const cfg = await writeConfig(
      dir,
      exampleConfig(px.baseUrl, { fieldMapping: { USER: mapping } }),
      'repeated.json',
    );
    const report = join(dir, 'repeated-report.json');
    const run = await runPxstream(
      ['-i', '-t', 'USER', '-c', cfg, '--rate', '1000', '--report', report, input],
      {
        cwd: dir,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 40 updated, 20 inserted, 0 skipped, 0 errors$/m);
    const users = await dump(px, 'users');
    assert.equal(users.length, 20);
    for (const user of users) {
      const i = String(user.identifyId).slice('rep-'.length);
      assert.equal(user.email, `round2-${i}@example.com`, `${user.identifyId} holds its last row`);
    }
    assert.equal(px.stats().created.users, 20, 'one create per id, no create raced its own earlier row');
    assert.match(
      run.stderr,
      /^pxstream: 20 ids were on more than one row: their rows were applied in file order, so the last row of each won$/m,
    );
    assert.equal(JSON.parse(await readFile(report, 'utf8')).repeatedIds, 20);
  });

  for (const type of TYPES) {
    it(`${type}: a base URL without /v1 stops before any row, with the /v1 hint, exit 1`, async () => {
      const gateway = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, noRouteHtml: true });
      try {
        // The slip: the host without the API version.
        const cfg = await writeConfig(dir, exampleConfig(gateway.url), `no-v1-${type}.json`);
        const run = await runPxstream(['-t', type, '-c', cfg, join(EXAMPLES, INPUTS[type])], { cwd: dir });
        assert.equal(run.code, 1, run.stderr);
        assert.match(
          run.stderr,
          /the base URL must end in \/v1 \(set baseUrl to http:\/\/127\.0\.0\.1:\d+\/v1\)/,
        );
        assert.doesNotMatch(run.stdout, /DONE/, 'no row is reported as skipped or loaded');
        const stats = gateway.stats();
        assert.equal(stats.requests, 1, 'one pre-flight request, not one per row');
        assert.deepEqual(Object.keys(stats.byRoute), ['GET (unmatched)']);
      } finally {
        await gateway.close();
      }
    });
  }

  it('update mode where every row is "no match": a hint that the ids are not in PX and that -i creates them', async () => {
    px.reset();
    const run = await runPxstream(['-t', 'USER', '-c', config, join(EXAMPLES, 'users.csv')], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 0 updated, 0 inserted, 300 skipped, 0 errors$/m);
    assert.match(
      run.stderr,
      /none of the 300 users was found in PX: every row was skipped as "no match"; --insert-missing \(insertMissing\) creates them/,
    );
    // Not when some rows were found.
    await seed(px, { users: [{ identifyId: 'user-0001', propertyKeys: ['AP-DEMO00000000-2'] }] });
    const some = await runPxstream(['-t', 'USER', '-c', config, join(EXAMPLES, 'users.csv')], { cwd: dir });
    assert.doesNotMatch(some.stderr, /none of the/);
  });

  it('JSON-lines with a CSV mapping: a warning names the mapped fields no record holds', async () => {
    const run = await runPxstream(['-d', '-t', 'USER', '-c', config, join(EXAMPLES, 'users.jsonl')], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    const warning =
      /mapped field\(s\) never present in the first (\d+) records, so never sent: (.*)\. Is/.exec(run.stderr);
    assert.ok(warning, run.stderr);
    for (const field of ['email', 'firstName (from "first_name")', 'location.city (from "city")']) {
      assert.ok(warning[2]?.includes(field), `${field} in ${warning[2]}`);
    }
    assert.ok(!warning[2]?.includes('identifyId'), 'the id is there');
    // The matching mapping: no warning.
    const jsonlConfig = await writeConfig(dir, exampleJsonlConfig(px.baseUrl), 'jsonl.json');
    const good = await runPxstream(['-d', '-t', 'USER', '-c', jsonlConfig, join(EXAMPLES, 'users.jsonl')], {
      cwd: dir,
    });
    assert.doesNotMatch(good.stderr, /never present/);
  });

  it('a real load names its target on its first stderr line; DONE is followed by the figures line', async () => {
    px.reset();
    const run = await runPxstream(['-i', '-t', 'ACCOUNT', '-c', config, join(EXAMPLES, 'accounts.csv')], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stderr.split('\n');
    assert.equal(lines[0], `pxstream: loading ACCOUNT into ${px.baseUrl}, product AP-DEMO00000000-2`);
    assert.equal(
      run.stdout,
      'DONE: 0 updated, 20 inserted, 0 skipped, 0 errors\n',
      'stdout keeps the one line',
    );
    assert.match(lines.at(-2) ?? '', /^pxstream: \d+\.\d s, [\d.]+ rows\/s, 40 requests, 0 retries, 0 429s$/);
  });

  it('--version prints the version; --help wraps at word boundaries within 80 columns', async () => {
    const version = await runPxstream(['--version']);
    const pkg = JSON.parse(await readFile(join(EXAMPLES, '../packages/pxstream/package.json'), 'utf8'));
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), pkg.version);
    const help = await runPxstream(['--help']);
    assert.equal(help.code, 0);
    const long = help.stdout.split('\n').filter((line) => line.length > 80);
    assert.deepEqual(long, []);
    // A phrase that used to be cut in the middle keeps its words together.
    assert.match(help.stdout, /\n {6}continue after Ctrl-C, a crash or the daily quota\n/);
    assert.match(help.stdout, /1 fatal error \(also PX's daily quota: resume\s+later with --resume\)/);
  });
});

/** Issue 15: the input formats a warehouse export arrives in. */
describe('issue 15: JSON arrays, gzip, and formats sniffed on stdin', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  /** Loads `input` into a clean emulator and returns its users, stamps removed. */
  async function loaded(config: string, input: string, extra: string[] = []) {
    px.reset();
    const run = await runPxstream(['-i', '-t', 'USER', '-c', config, '--rate', '2000', ...extra, input], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    return { users: await stableRecords(px, 'users'), stdout: run.stdout };
  }

  it('a JSON-array file and a gzip CSV each load as their plain equivalents do', async () => {
    const csvConfig = await writeConfig(dir, exampleConfig(px.baseUrl), 'formats-csv.json');
    const jsonConfig = await writeConfig(dir, exampleJsonlConfig(px.baseUrl), 'formats-jsonl.json');
    const csv = join(EXAMPLES, 'users.csv');
    const gz = join(dir, 'users.csv.gz');
    await writeFile(gz, gzipSync(await readFile(csv)));
    const jsonl = join(EXAMPLES, 'users.jsonl');
    const array = join(dir, 'users-array.json');
    const objects = (await readFile(jsonl, 'utf8')).split('\n').filter(Boolean);
    await writeFile(array, `[\n  ${objects.join(',\n  ')}\n]\n`);

    const plainCsv = await loaded(csvConfig, csv);
    assert.equal(plainCsv.users.length, 300);
    const gzipped = await loaded(csvConfig, gz);
    assert.deepEqual(gzipped.users, plainCsv.users);
    assert.equal(gzipped.stdout, plainCsv.stdout);

    const plainJsonl = await loaded(jsonConfig, jsonl);
    assert.equal(plainJsonl.users.length, objects.length);
    const fromArray = await loaded(jsonConfig, array);
    assert.deepEqual(fromArray.users, plainJsonl.users);
    // -f json names the format of a file whose extension does not.
    const renamed = join(dir, 'users-array.dat');
    await writeFile(renamed, await readFile(array));
    assert.deepEqual((await loaded(jsonConfig, renamed, ['-f', 'json'])).users, plainJsonl.users);
  });

  it('stdin: JSON-lines and a JSON array are told from their first byte, gzip from its magic bytes', async () => {
    const jsonConfig = await writeConfig(dir, exampleJsonlConfig(px.baseUrl), 'stdin-jsonl.json');
    const jsonl = await readFile(join(EXAMPLES, 'users.jsonl'));
    const lines = jsonl.toString().split('\n').filter(Boolean);
    const array = Buffer.from(`[${lines.join(',')}]`);
    const dryRun = async (stdin: Buffer) => {
      const run = await runPxstream(['-d', '-t', 'USER', '-c', jsonConfig], { cwd: dir, stdin });
      assert.equal(run.code, 0, run.stderr);
      return run.stdout;
    };
    const expected = await dryRun(jsonl);
    assert.equal(expected.split('\n').filter(Boolean).length, lines.length, 'JSON-lines sniffed on stdin');
    assert.equal(await dryRun(array), expected, 'a JSON array sniffed on stdin');
    assert.equal(await dryRun(gzipSync(jsonl)), expected, 'gzip JSON-lines on stdin');
    assert.equal(await dryRun(gzipSync(array)), expected, 'gzip JSON array on stdin');
  });

  it('a .json file holding JSON-lines stops at once and suggests -f jsonl', async () => {
    const config = await writeConfig(dir, exampleJsonlConfig(px.baseUrl), 'mislabelled.json');
    const input = join(dir, 'mislabelled-users.json');
    await writeFile(input, await readFile(join(EXAMPLES, 'users.jsonl')));
    const run = await runPxstream(['-d', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /-f jsonl/);
    assert.doesNotMatch(run.stdout, /\{/, 'no row was read as anything');
  });
});
