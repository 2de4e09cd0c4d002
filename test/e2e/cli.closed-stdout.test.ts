import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, startPxstream } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES } from '../helpers/configs.js';
import { emulatorSuite } from '../helpers/suite.js';

const USERS = join(EXAMPLES, 'users.csv');
const STACK = /node:events|^\s+at .+:\d+:\d+\)?$/m;

/**
 * A reader of stdout that goes away (`pxstream -d ... | head`): the process's writes fail with
 * EPIPE. Real processes: the pipe, its EPIPE and the exit status are the process's.
 */
describe('pxstream when the reader of its stdout goes away', () => {
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
});
