import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { dump } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

/** Requests that write (PUT, POST) the emulator has seen: `--strict` must send none on a bad input. */
function writes(px: EmulatorHandle): number {
  return Object.entries(px.stats().byRoute)
    .filter(([route]) => /^(PUT|POST) /.test(route))
    .reduce((sum, [, statuses]) => sum + Object.values(statuses).reduce((a, b) => a + b, 0), 0);
}

describe('pxstream --strict (Gainsight: check the whole input first)', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('the first bad row stops the run with its line and reason, before anything is sent', async () => {
    px.reset();
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const report = join(dir, 'strict-report.json');
    const run = await runInProcess(
      ['-s', '-i', '-t', 'USER', '-c', config, '--report', report, join(EXAMPLES, 'users-with-errors.csv')],
      { cwd: dir },
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /--strict: line 3: VALIDATE_INVALID_EMAIL: .*not-an-email.*\(nothing was sent\)/,
    );
    assert.equal(writes(px), 0);
    assert.deepEqual(await dump(px, 'users'), []);
  });

  it('a clean input is checked, then loaded', async () => {
    px.reset();
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const run = await runInProcess(
      ['--strict', '-i', '-t', 'USER', '-c', config, join(EXAMPLES, 'users.csv')],
      {
        cwd: dir,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /--strict: 300 rows checked, none rejected; sending/);
    assert.match(run.stdout, /^DONE: 0 updated, 300 inserted, 0 skipped, 0 errors$/m);
    assert.equal((await dump(px, 'users')).length, 300);
  });

  it('a mapped custom attribute PX lacks is a warning without --strict, fatal with it', async () => {
    px.reset();
    // A custom attribute PX does not have (a typo, or one an admin deleted).
    const config = await writeConfig(
      dir,
      exampleConfig(px.baseUrl, {
        fieldMapping: {
          USER: { identifyId: 'id', email: 'email', 'customAttributes.planTypo': 'plan' },
        },
        attributeTypes: {},
      }),
      'typo.json',
    );
    const input = join(EXAMPLES, 'users.csv');
    const strict = await runInProcess(['--strict', '-i', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(strict.code, 1, strict.stderr);
    assert.match(
      strict.stderr,
      /warning: customAttributes\.planTypo: PX has no USER attribute with apiName "planTypo"/,
    );
    assert.match(strict.stderr, /--strict: 1 mapped attribute\(s\) PX cannot take/);
    assert.equal(writes(px), 0);

    const lenient = await runInProcess(['-i', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(lenient.code, 3, lenient.stderr);
    assert.match(lenient.stderr, /warning: customAttributes\.planTypo: PX has no USER attribute/);
    assert.ok(writes(px) > 0, 'without --strict the run goes on');
    const rejects = await readFile(join(dir, 'users_rejects.csv'), 'utf8');
    assert.match(rejects, /,send,PX_HTTP_400,400,.*planTypo/);
  });

  it('stdin cannot be read twice: --strict on stdin is a usage error', async () => {
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const run = await runInProcess(['--strict', '-t', 'USER', '-c', config, '-'], {
      cwd: dir,
      stdin: await readFile(join(EXAMPLES, 'users.csv')),
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--strict needs a file/);
  });
});
