import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { writeUsersCsv } from '../helpers/data.js';
import { dump } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const ROWS = 200;

/** In this process: PX's unavailability (an outage) with --no-wait, then --resume. */
describe('pxstream --no-wait', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('PX down: stops with a checkpoint, exit 1 and "--resume later"; --resume once PX is back loads the rest', async () => {
    const input = join(dir, 'users.csv');
    await writeUsersCsv(input, ROWS, { badEvery: 1000 });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 200 }), 'no-wait.json');
    const report = join(dir, 'no-wait-report.json');
    const args = ['-i', '-t', 'USER', '-c', config, '--report', report, input];
    // The pre-flight and 50 writes go through, then every request is answered 503.
    px.configure({ outage: { afterRequests: 51, kind: '503' } });
    const first = await runInProcess([...args, '--no-wait'], { cwd: dir, timeoutMs: 20_000 });
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /pxstream: error: .*503/);
    assert.match(
      first.stderr,
      /PX did not answer \(--no-wait\): later, run the same command with --resume to carry on \(checkpoint: .*no-wait-report\.checkpoint\.json\)/,
    );
    assert.doesNotMatch(first.stdout, /DONE:/, 'a fatal stop prints no DONE line');
    const stopped = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(stopped.error.code, 'PX_UNAVAILABLE');
    assert.equal(stopped.rejected, 0, 'no row rejected for PX being down');
    assert.ok(stopped.inserted < ROWS, `stopped early: ${stopped.inserted}`);
    await access(join(dir, 'no-wait-report.checkpoint.json'));

    px.endOutage();
    const second = await runInProcess([...args, '--resume'], { cwd: dir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /DONE: \d+ updated, \d+ inserted, 0 skipped, 0 errors/);
    assert.equal((await dump(px, 'users')).length, ROWS);
  });
});
