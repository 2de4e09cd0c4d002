import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, filesLeakingKey, holdsKey, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { SECRET_KEY } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

/**
 * The API key must never appear in any output: stdout, stderr (verbose, progress, errors),
 * dry-run output, the report, the rejects file. The data itself carries the key in a bad
 * cell, so a rejection message quoting the value would leak it if nothing redacted it.
 */
describe('pxstream keeps the API key secret', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('in every output of every mode', async () => {
    const input = holdsKey(join(dir, 'leaky.csv'));
    const source = await readFile(join(EXAMPLES, 'users-with-errors.csv'), 'utf8');
    await writeFile(
      input,
      source.replace('not-an-email', SECRET_KEY).replace('next tuesday', `x${SECRET_KEY}`),
    );
    const inFile = await writeConfig(dir, exampleConfig(px.baseUrl), 'in-file.json');
    const { apiKey: _drop, ...keyless } = exampleConfig(px.baseUrl);
    const fromEnv = await writeConfig(dir, keyless, 'from-env.json');
    const env = { PX_API_KEY: SECRET_KEY };
    const runs = [
      await runInProcess(['-v', '-i', '-t', 'USER', '-c', inFile, '--report', 'r1.json', input], {
        cwd: dir,
      }),
      await runInProcess(['-d', '-t', 'USER', '-c', inFile, '--report', 'r2.json', input], { cwd: dir }),
      await runInProcess(['-v', '-t', 'USER', '-c', fromEnv, '--report', 'r3.json', input], {
        cwd: dir,
        env,
      }),
      await runInProcess(['-t', 'USER', '-c', inFile, join(dir, 'missing.csv')], { cwd: dir }),
      await runInProcess(['-t', 'USER', '-c', inFile, '--base-url', 'http://example.com/v1', input], {
        cwd: dir,
      }),
    ];
    await px.close();
    // PX unreachable: the error names the URL, never the key.
    runs.push(await runInProcess(['-t', 'USER', '-c', inFile, input], { cwd: dir }));
    assert.deepEqual(
      runs.map((r) => r.code),
      [3, 3, 3, 1, 2, 1],
      runs.map((r) => r.stderr).join('\n---\n'),
    );
    const files = await readdir(dir);
    assert.ok(files.includes('leaky_rejects.csv'));
    assert.ok(files.includes('r1.json') && files.includes('r2.json') && files.includes('r3.json'));
    const outputs = [
      ...runs.flatMap((r) => [r.stdout, r.stderr]),
      ...(await Promise.all(
        files.filter((f) => /^r\d\.json$|_rejects\./.test(f)).map((f) => readFile(join(dir, f), 'utf8')),
      )),
    ];
    for (const text of outputs)
      assert.ok(!text.includes(SECRET_KEY), `key leaked in:\n${text.slice(0, 500)}`);
    assert.deepEqual(await filesLeakingKey(dir), [], 'no file pxstream wrote holds the key');
    assert.ok(
      outputs.some((text) => text.includes('[REDACTED]')),
      'the key in the data was redacted',
    );
  });

  it('the search that every suite runs on cleanup finds a key that leaked into any file', async () => {
    const planted = join(dir, 'nested', 'leak.txt');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'nested'), { recursive: true }));
    await writeFile(planted, `prefix ${SECRET_KEY} suffix`);
    assert.deepEqual(await filesLeakingKey(dir), [planted]);
    await import('node:fs/promises').then((fs) => fs.rm(planted));
  });
});
