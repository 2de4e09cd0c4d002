import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig, exampleJsonlConfig } from '../helpers/configs.js';
import { dump, emulator, seed } from '../helpers/emulator.js';
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

/**
 * No silent surprises: the rows of one id are applied in file order and the run says so, a base
 * URL that is not PX's stops before any row, a run where nothing happened says why, and a real
 * load names where it goes.
 */
describe('a load explains itself: rows of one id in file order, every type checked first, every no-op explained', () => {
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
    const run = await runInProcess(
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
        const run = await runInProcess(['-t', type, '-c', cfg, join(EXAMPLES, INPUTS[type])], { cwd: dir });
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
    const run = await runInProcess(['-t', 'USER', '-c', config, join(EXAMPLES, 'users.csv')], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DONE: 0 updated, 0 inserted, 300 skipped, 0 errors$/m);
    assert.match(
      run.stderr,
      /none of the 300 users was found in PX: every row was skipped as "no match"; --insert-missing creates them/,
    );
    // Not when some rows were found.
    await seed(px, { users: [{ identifyId: 'user-0001', propertyKeys: ['AP-DEMO00000000-2'] }] });
    const some = await runInProcess(['-t', 'USER', '-c', config, join(EXAMPLES, 'users.csv')], { cwd: dir });
    assert.doesNotMatch(some.stderr, /none of the/);
  });

  it('JSON-lines with a CSV mapping: a warning names the mapped fields no record holds', async () => {
    const run = await runInProcess(['-d', '-t', 'USER', '-c', config, join(EXAMPLES, 'users.jsonl')], {
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
    const good = await runInProcess(['-d', '-t', 'USER', '-c', jsonlConfig, join(EXAMPLES, 'users.jsonl')], {
      cwd: dir,
    });
    assert.doesNotMatch(good.stderr, /never present/);
  });

  it('a real load names its target on its first stderr line; DONE is followed by the figures line', async () => {
    px.reset();
    const run = await runInProcess(['-i', '-t', 'ACCOUNT', '-c', config, join(EXAMPLES, 'accounts.csv')], {
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
    const figures =
      /^pxstream: \d+\.\d s, [\d.]+ rows\/s, (28) requests, 0 retries, 0 429s, (\d+) requests today$/.exec(
        lines.at(-2) ?? '',
      );
    // 20 new accounts, one request each once the write order has learned: the first 8 go PUT
    // first (404, then POST), the other 12 POST first.
    assert.ok(figures, lines.at(-2));
    // Then the requests sent to this PX today: the pre-flight's one more than the load's.
    assert.equal(Number(figures[2]), Number(figures[1]) + 1);
  });
});
