import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig, exampleJsonlConfig } from '../helpers/configs.js';
import { stableRecords } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

/** The input formats a warehouse export arrives in. */
describe('input formats: JSON arrays, gzip, and formats sniffed on stdin', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  /** Loads `input` into a clean emulator and returns its users, stamps removed. */
  async function loaded(config: string, input: string, extra: string[] = []) {
    px.reset();
    const run = await runInProcess(['-i', '-t', 'USER', '-c', config, '--rate', '2000', ...extra, input], {
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
      const run = await runInProcess(['-d', '-t', 'USER', '-c', jsonConfig], { cwd: dir, stdin });
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
    const run = await runInProcess(['-d', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /-f jsonl/);
    assert.doesNotMatch(run.stdout, /\{/, 'no row was read as anything');
  });
});
