import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { emulatorSuite } from '../helpers/suite.js';

describe('pxstream --dry-run', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('prints every body as one JSON object per line and sends nothing, not even metadata', async () => {
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const run = await runInProcess(['--dry-run', '-t', 'USER', '-c', config, join(EXAMPLES, 'users.csv')], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 300);
    const bodies = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(bodies[0]!.identifyId, 'user-0001');
    assert.ok(bodies.every((b) => Array.isArray(b.propertyKeys)));
    assert.equal(px.stats().requests, 0);
    assert.match(run.stderr, /DONE: 0 updated, 0 inserted, 0 skipped, 0 errors/);
  });

  it('still reports rejections and exits 3', async () => {
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const errors = join(dir, 'dry-rejects.csv');
    const run = await runInProcess(
      ['--dryRun', '-t', 'USER', '-c', config, '--errors', errors, join(EXAMPLES, 'users-with-errors.csv')],
      { cwd: dir },
    );
    assert.equal(run.code, 3, run.stderr);
    const printed = run.stdout.split('\n').filter((l) => l !== '');
    assert.deepEqual(
      printed.map((l) => (JSON.parse(l) as { identifyId: string }).identifyId),
      ['user-9001', 'user-9008'],
    );
    assert.equal(px.stats().requests, 0);
  });
});
