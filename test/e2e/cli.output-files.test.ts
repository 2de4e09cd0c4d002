import assert from 'node:assert/strict';
import { access, copyFile, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES } from '../helpers/configs.js';
import { emulatorSuite } from '../helpers/suite.js';

const USERS = join(EXAMPLES, 'users.csv');

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The files a run writes (report, rejects file, checkpoint): checked before any row is sent,
 * never over the input or the config, and none left behind by a run that stopped at once.
 */
describe('pxstream output files: checked first, never clobbering, no leftovers', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir, config } = suite));

  it('a report path that cannot be written is fatal before any row is sent, in plain words', async () => {
    px.reset();
    for (const [report, reason] of [
      [dir, /it is a directory/],
      [join(dir, 'missing-dir', 'r.json'), /no such directory/],
    ] as const) {
      const run = await runInProcess(['-i', '-t', 'USER', '-c', config, '--report', report, USERS], {
        cwd: dir,
      });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`cannot write the report ${report.replace(/[/.]/g, '\\$&')}`));
      assert.match(run.stderr, reason);
      assert.doesNotMatch(run.stderr, /EISDIR|ENOENT/);
    }
    assert.equal(px.stats().created.users, 0, 'nothing sent');
  });

  it('a header that does not match the mapping: exit 1, no resume advice, no checkpoint or empty rejects left', async () => {
    const work = join(dir, 'header');
    await mkdir(work);
    const run = await runInProcess(['-t', 'USER', '-c', config, join(EXAMPLES, 'accounts.csv')], {
      cwd: work,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /mapped columns not in the header/);
    // Wrappers written for Gainsight's loader grep the DONE line as success.
    assert.equal(run.stdout, '', 'no DONE line after a fatal error');
    assert.match(run.stderr, /stopped by the error above: 0 updated, 0 inserted, 0 skipped, 0 errors so far/);
    assert.doesNotMatch(
      run.stderr,
      /--resume/,
      'fixing the mapping changes the settings: resume would refuse',
    );
    assert.deepEqual(await readdir(work), [], 'no checkpoint, no empty rejects file');
  });

  it('an early fatal error leaves no empty rejects file behind', async () => {
    const work = join(dir, 'early');
    await mkdir(work);
    const run = await runInProcess(
      ['-t', 'USER', '-c', config, '--checkpoint', join(work, 'no-dir', 'c.json'), USERS],
      { cwd: work },
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /cannot write checkpoint/);
    assert.equal(await exists(join(work, 'users_rejects.csv')), false);
  });

  it('refuses (exit 2) an output that would overwrite the input or the config, even through a link', async () => {
    const work = join(dir, 'clobber');
    await mkdir(work);
    const input = join(work, 'mine.csv');
    await copyFile(USERS, input);
    await symlink(input, join(work, 'link.csv'));
    const original = await readFile(input);
    const configBytes = await readFile(config);
    for (const [flags, says] of [
      [['--errors', input], /the rejects file would overwrite the input/],
      [['--errors', 'link.csv'], /the rejects file would overwrite the input/],
      [['--report', './mine.csv'], /the report would overwrite the input/],
      [['--checkpoint', input], /the checkpoint would overwrite the input/],
      [['--errors', config], /the rejects file would overwrite the config/],
      [['--report', 'r.json', '--checkpoint', 'r.json'], /the checkpoint would overwrite the report/],
    ] as const) {
      const run = await runInProcess(['-i', '-t', 'USER', '-c', config, ...flags, input], { cwd: work });
      assert.equal(run.code, 2, `${flags.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, says);
      assert.deepEqual(await readFile(input), original, `${flags.join(' ')}: the input is intact`);
      assert.deepEqual(await readFile(config), configBytes, `${flags.join(' ')}: the config is intact`);
    }
  });
});
