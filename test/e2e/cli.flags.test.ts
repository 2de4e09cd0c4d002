import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { BIN, EXAMPLES, ROOT, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig, exampleJsonlConfig } from '../helpers/configs.js';
import { emulatorSuite } from '../helpers/suite.js';

const USERS = join(EXAMPLES, 'users.csv');
const WITH_ERRORS = join(EXAMPLES, 'users-with-errors.csv');

/** The flag contract: both invocation forms, Gainsight's spellings, default file names. */
describe('pxstream flags', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir, config } = suite));

  it('both forms and stdin take the same flags and print the same bodies (camelCase and short)', async () => {
    const stdin = await readFile(USERS);
    const runs = [
      await runInProcess(['--dryRun', '--startRow', '1', '--lastRow', '3', config, 'USER', USERS], {
        cwd: dir,
      }),
      await runInProcess([config, 'USER', USERS, '--dry-run', '--start-row', '1', '--last-row', '3'], {
        cwd: dir,
      }),
      await runInProcess(['-d', '-n', '1', '-l', '3', '-t', 'USER', '-c', config, USERS], { cwd: dir }),
      await runInProcess(['-d', '-n', '1', '-l', '3', '-t', 'USER', '-c', config, '-'], { cwd: dir, stdin }),
      await runInProcess(['-d', '-n', '1', '-l', '3', '-t', 'USER', '-c', config], { cwd: dir, stdin }),
    ];
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const ids = runs[0]!.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { identifyId: string }).identifyId);
    assert.deepEqual(ids, ['user-0002', 'user-0003', 'user-0004']);
    for (const run of runs.slice(1)) assert.equal(run.stdout, runs[0]!.stdout);
    assert.equal(px.stats().requests, 0);
  });

  it('--baseUrl and --base-url override the config, and --insertMissing works after the positionals', async () => {
    const elsewhere = await writeConfig(dir, exampleConfig('http://127.0.0.1:9/v1'), 'elsewhere.json');
    for (const flag of ['--baseUrl', '--base-url']) {
      px.reset();
      const run = await runInProcess(
        [elsewhere, 'ACCOUNT', join(EXAMPLES, 'accounts.csv'), flag, px.baseUrl, '--insertMissing'],
        {
          cwd: dir,
        },
      );
      assert.equal(run.code, 0, `${flag}: ${run.stderr}`);
      assert.match(run.stdout, /DONE: 0 updated, 20 inserted, 0 skipped, 0 errors/);
    }
  });

  it('--format overrides the extension', async () => {
    px.reset();
    const jsonl = await writeConfig(dir, exampleJsonlConfig(px.baseUrl), 'jsonl.json');
    const asText = join(dir, 'users.txt');
    await import('node:fs/promises').then((fs) => fs.copyFile(join(EXAMPLES, 'users.jsonl'), asText));
    const run = await runInProcess(['-i', '-t', 'USER', '-c', jsonl, '--format', 'jsonl', asText], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /DONE: 0 updated, 50 inserted/);
  });

  it('JSON-lines rejects go to <input name>_rejects.jsonl by default, one object per rejected line', async () => {
    px.reset();
    const jsonl = await writeConfig(dir, exampleJsonlConfig(px.baseUrl), 'jsonl.json');
    const input = join(dir, 'mixed.jsonl');
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(input, '{"id":"m-1","email":"m1@example.com"}\nnot json\n[1,2]\n'),
    );
    const run = await runInProcess(['-i', '-t', 'USER', '-c', jsonl, input], { cwd: dir });
    assert.equal(run.code, 3, run.stderr);
    const rejects = (await readFile(join(dir, 'mixed_rejects.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      rejects.map((r) => [r.line, r.stage, r.code]),
      [
        [2, 'parse', 'JSONL_INVALID_JSON'],
        [3, 'parse', 'JSONL_NOT_OBJECT'],
      ],
    );
    for (const r of rejects) for (const key of ['status', 'message', 'record']) assert.ok(key in r, key);
  });

  it('a dry run writes the rejects file too: every bad row with its line, stage and code', async () => {
    px.reset();
    const run = await runInProcess(['-d', '-t', 'USER', '-c', config, WITH_ERRORS], { cwd: dir });
    assert.equal(run.code, 3, run.stderr);
    const rows = (await readFile(join(dir, 'users-with-errors_rejects.csv'), 'utf8')).trim().split('\n');
    assert.match(rows[0]!, /,_line,_stage,_code,_status,_message$/);
    assert.deepEqual(
      rows.slice(1).map((row) => /,(\d+),(\w+),([A-Z_]+),/.exec(row)?.slice(1, 4).join(' ')),
      [
        '3 validate VALIDATE_INVALID_EMAIL',
        '4 map MAP_INVALID_DATE',
        '5 validate VALIDATE_OUT_OF_RANGE',
        '6 validate VALIDATE_MISSING_KEY',
        '7 map MAP_NOT_INTEGER',
        '8 parse CSV_RECORD_INCONSISTENT_FIELDS_LENGTH',
      ],
    );
    assert.equal(px.stats().requests, 0);
  });

  it('--quiet prints nothing but fatal errors; --verbose logs every row; no progress off a terminal', async () => {
    px.reset();
    const input = join(EXAMPLES, 'users-with-errors.csv');
    const quiet = await runInProcess(['-q', '-i', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(quiet.code, 3);
    assert.equal(quiet.stdout + quiet.stderr, '', 'nothing at all: not even the DONE line');
    const quietFatal = await runInProcess(['-q', '-t', 'USER', '-c', join(dir, 'nope.json'), input], {
      cwd: dir,
    });
    assert.equal(quietFatal.code, 1);
    assert.match(quietFatal.stderr, /^pxstream: error: .*nope\.json/);
    px.reset();
    const verbose = await runInProcess(['-v', '-i', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(verbose.code, 3);
    for (let line = 2; line <= 9; line++) assert.match(verbose.stderr, new RegExp(`^line ${line}: `, 'm'));
    assert.match(verbose.stderr, /^line 2: inserted user-9001$/m);
    assert.doesNotMatch(verbose.stderr + verbose.stdout, /\r/, 'no progress line when stderr is no terminal');
  });

  it('the bin entry and the root `pxstream` script run the CLI', async () => {
    // The bin belongs to the package users install, `pxstream`; @pxstream/cli has none of its own.
    const pxstream = JSON.parse(await readFile(join(ROOT, 'packages/pxstream/package.json'), 'utf8'));
    assert.equal(pxstream.name, 'pxstream');
    assert.equal(join(ROOT, 'packages/pxstream', pxstream.bin.pxstream), BIN);
    const cli = JSON.parse(await readFile(join(ROOT, 'packages/cli/package.json'), 'utf8'));
    assert.equal(cli.bin, undefined);
    assert.match(await readFile(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const root = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(root.scripts.pxstream, 'node packages/pxstream/bin/pxstream.js');
    const npm = spawnSync('npm', ['run', '--silent', 'pxstream', '--', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(npm.status, 0, npm.stderr);
    assert.match(npm.stdout, /pxstream \[options\] <config\.json> <TYPE> <input>/);
    // The main job of the README: the bundled sample into the embedded emulator. The demo runs
    // in the repository, where its checkpoint would go; here it goes to this suite's directory
    // (demo.test.ts runs the demo at the same time).
    const demo = spawnSync('npm', ['run', '--silent', 'demo', '--', '--checkpoint', join(dir, 'demo.json')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(demo.status, 0, demo.stderr);
    assert.equal(demo.stdout, 'DONE: 0 updated, 300 inserted, 0 skipped, 0 errors\n');
  });
});
