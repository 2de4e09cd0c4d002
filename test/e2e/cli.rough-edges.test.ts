import assert from 'node:assert/strict';
import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runPxstream, startPxstream } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES } from '../helpers/configs.js';
import { emulatorSuite } from '../helpers/suite.js';

const USERS = join(EXAMPLES, 'users.csv');
const STACK = /node:events|^\s+at .+:\d+:\d+\)?$/m;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** What a demanding user runs into: closed pipes, bad paths, wrong advice, leftovers. */
describe('pxstream rough edges', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir, config } = suite));

  it('a dry run piped into `head` ends quietly with exit 0 when the reader goes away, as Unix tools do', async () => {
    // Ten times the example's rows: about 1.2 MB of bodies, more than the pipe holds after the
    // first read, so the run cannot end before the reader goes away (it did with 120 KB on a
    // loaded machine, and then printed its summary).
    const [header, ...rows] = (await readFile(USERS, 'utf8')).trimEnd().split('\n');
    const many = join(dir, 'users-x10.csv');
    await writeFile(many, `${[header, ...Array.from({ length: 10 }, () => rows).flat()].join('\n')}\n`);
    const run = startPxstream(['-d', '-t', 'USER', '-c', config, many], { cwd: dir });
    // What `head -1` does: read a little, then close its end of the pipe.
    run.child.stdout?.once('data', () => run.child.stdout?.destroy());
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(done.stderr, '', 'nothing said: no error, no summary, no stack trace');
    assert.equal(px.stats().requests, 0);
  });

  it('a load whose stdout reader went away still finishes and exits 0, without a stack trace', async () => {
    px.reset();
    const run = startPxstream(['-i', '-t', 'USER', '-c', config, USERS], { cwd: dir });
    run.child.stdout?.destroy();
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
    assert.doesNotMatch(done.stderr, STACK);
    assert.equal(px.stats().created.users, 300);
  });

  it('`pxstream emulator` with a bad flag exits 2 (usage), like pxstream-emulator', async () => {
    const run = await runPxstream(['emulator', '--no-such-flag']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Unknown option '--no-such-flag'/);
  });

  it('a report path that cannot be written is fatal before any row is sent, in plain words', async () => {
    px.reset();
    for (const [report, reason] of [
      [dir, /it is a directory/],
      [join(dir, 'missing-dir', 'r.json'), /no such directory/],
    ] as const) {
      const run = await runPxstream(['-i', '-t', 'USER', '-c', config, '--report', report, USERS], {
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
    await import('node:fs/promises').then((fs) => fs.mkdir(work));
    const run = await runPxstream(['-t', 'USER', '-c', config, join(EXAMPLES, 'accounts.csv')], {
      cwd: work,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /mapped columns not in the header/);
    assert.doesNotMatch(
      run.stderr,
      /--resume/,
      'fixing the mapping changes the settings: resume would refuse',
    );
    assert.deepEqual(await readdir(work), [], 'no checkpoint, no empty rejects file');
  });

  it('an early fatal error leaves no empty rejects file behind', async () => {
    const work = join(dir, 'early');
    await import('node:fs/promises').then((fs) => fs.mkdir(work));
    const run = await runPxstream(
      ['-t', 'USER', '-c', config, '--checkpoint', join(work, 'no-dir', 'c.json'), USERS],
      { cwd: work },
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /cannot write checkpoint/);
    assert.equal(await exists(join(work, 'users_rejects.csv')), false);
  });

  it('--start-row past the last row says so; a start row beyond 2^53 is a usage error', async () => {
    const past = await runPxstream(['-t', 'USER', '-c', config, '-n', '500', USERS], { cwd: dir });
    assert.equal(past.code, 0, past.stderr);
    assert.match(past.stderr, /no data row at or after --start-row 500/);
    const huge = await runPxstream(['-t', 'USER', '-c', config, '-n', '99999999999999999999', USERS], {
      cwd: dir,
    });
    assert.equal(huge.code, 2);
    assert.match(huge.stderr, /--start-row takes a whole number from 0 to 9007199254740991/);
  });

  it('names every record type when none is given, and --help says what the tool loads', async () => {
    const run = await runPxstream(['-c', config, USERS], { cwd: dir });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--type USER\|ACCOUNT\|CUSTOM_EVENT\|USER_PREFERENCES/);
    const help = await runPxstream(['--help']);
    assert.match(help.stdout, /users, accounts, custom events and user preferences/);
  });

  it('--quiet prints nothing but fatal errors; --verbose logs every row; no progress off a terminal', async () => {
    px.reset();
    const input = join(EXAMPLES, 'users-with-errors.csv');
    const quiet = await runPxstream(['-q', '-i', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(quiet.code, 3);
    assert.equal(quiet.stdout + quiet.stderr, '', 'nothing at all: not even the DONE line');
    const quietFatal = await runPxstream(['-q', '-t', 'USER', '-c', join(dir, 'nope.json'), input], {
      cwd: dir,
    });
    assert.equal(quietFatal.code, 1);
    assert.match(quietFatal.stderr, /^pxstream: error: .*nope\.json/);
    px.reset();
    const verbose = await runPxstream(['-v', '-i', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(verbose.code, 3);
    for (let line = 2; line <= 9; line++) assert.match(verbose.stderr, new RegExp(`^line ${line}: `, 'm'));
    assert.match(verbose.stderr, /^line 2: inserted user-9001$/m);
    assert.doesNotMatch(verbose.stderr + verbose.stdout, /\r/, 'no progress line when stderr is no terminal');
  });

  it('refuses (exit 2) an output that would overwrite the input or the config, even through a link', async () => {
    const work = join(dir, 'clobber');
    const fs = await import('node:fs/promises');
    await fs.mkdir(work);
    const input = join(work, 'mine.csv');
    await fs.copyFile(USERS, input);
    await fs.symlink(input, join(work, 'link.csv'));
    const original = await fs.readFile(input);
    const configBytes = await fs.readFile(config);
    for (const [flags, says] of [
      [['--errors', input], /the rejects file would overwrite the input/],
      [['--errors', 'link.csv'], /the rejects file would overwrite the input/],
      [['--report', './mine.csv'], /the report would overwrite the input/],
      [['--checkpoint', input], /the checkpoint would overwrite the input/],
      [['--errors', config], /the rejects file would overwrite the config/],
      [['--report', 'r.json', '--checkpoint', 'r.json'], /the checkpoint would overwrite the report/],
    ] as const) {
      const run = await runPxstream(['-i', '-t', 'USER', '-c', config, ...flags, input], { cwd: work });
      assert.equal(run.code, 2, `${flags.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, says);
      assert.deepEqual(await fs.readFile(input), original, `${flags.join(' ')}: the input is intact`);
      assert.deepEqual(await fs.readFile(config), configBytes, `${flags.join(' ')}: the config is intact`);
    }
  });
});
