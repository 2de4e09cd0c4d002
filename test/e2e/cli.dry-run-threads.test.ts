import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PARALLEL_DRY_RUN_MIN_BYTES } from '@pxstream/load';
import { EXAMPLES, runPxstream, startPxstream } from '../helpers/cli.js';

const CONFIG = join(EXAMPLES, 'pxstream.json');
const HEADER =
  'id,email,first_name,last_name,title,city,state,country,latitude,longitude,signup,plan,score,unsubscribed,account';

/** A users export past the size where a dry run uses threads, with ids repeated and bad rows. */
function bigUsersCsv(): string {
  const lines = [HEADER];
  let bytes = 0;
  for (let i = 0; bytes < PARALLEL_DRY_RUN_MIN_BYTES + (1 << 20); i++) {
    const id = i % 50 === 0 ? `user-${i - 7}` : `user-${i}`;
    const email = i % 997 === 0 ? 'not-an-email' : `u${i}@example.com`;
    const signup = i % 1499 === 0 ? 'someday' : `2024-03-${10 + (i % 18)}T08:30:00`;
    const title = ['', 'Engineer', '"Head, Sales"', '"Two\nlines"', 'Zoë 🚀'][i % 5];
    const line =
      i % 2003 === 0
        ? `${id},${email},short`
        : `${id},${email},Ann,Lee,${title},Paris,IDF,FR,48.${i % 997},2.35,${signup},team,${i % 100},false,ACC-${i % 300}`;
    lines.push(line);
    bytes += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

const doneLine = (stderr: string) => stderr.split('\n').find((line) => line.includes('DONE:'));

describe('pxstream --dry-run on threads (inputs of 8 MiB or more)', () => {
  let dir: string;
  let input: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxstream-dry-threads-'));
    input = join(dir, 'users.csv');
    await writeFile(input, bigUsersCsv());
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the same bytes, summary, exit code and rejects file as the one-thread run', async () => {
    const threaded = await runPxstream(
      ['--dry-run', '-t', 'USER', '-c', CONFIG, '--errors', join(dir, 'threads.csv'), input],
      { cwd: dir },
    );
    // A last row past the end reads every row, on one thread (a row range never uses threads).
    const single = await runPxstream(
      ['--dry-run', '-l', '99999999', '-t', 'USER', '-c', CONFIG, '--errors', join(dir, 'single.csv'), input],
      { cwd: dir },
    );
    assert.equal(threaded.code, 3, threaded.stderr);
    assert.equal(single.code, 3, single.stderr);
    assert.ok(threaded.stdout.length > 20_000_000, `${threaded.stdout.length} characters printed`);
    assert.ok(threaded.stdout === single.stdout, 'the same bodies, byte for byte');
    assert.equal(doneLine(threaded.stderr), doneLine(single.stderr));
    assert.match(doneLine(threaded.stderr) ?? '', /DONE: 0 updated, 0 inserted, 0 skipped, \d+ errors/);
    assert.match(threaded.stderr, /ids were on more than one row/);
    const rejects = await readFile(join(dir, 'threads.csv'), 'utf8');
    assert.equal(rejects, await readFile(join(dir, 'single.csv'), 'utf8'));
    assert.match(rejects, /CSV_RECORD_INCONSISTENT_FIELDS_LENGTH/);
    // The first five rejections are echoed without --verbose, as on one thread.
    assert.equal(threaded.stderr.match(/rejected \[/g)?.length, 5);
  });

  it('piped into `head`, it ends quietly with exit 0 when the reader goes away', async () => {
    const run = startPxstream(['-d', '-t', 'USER', '-c', CONFIG, input], { cwd: dir });
    run.child.stdout?.once('data', () => run.child.stdout?.destroy());
    const done = await run.done;
    assert.equal(done.code, 0, done.stderr);
    // Nothing said but the rejections echoed as they came: no error, no summary, no stack trace.
    const said = done.stderr.split('\n').filter((line) => line !== '');
    assert.ok(said.length > 0 && said.length <= 5, done.stderr);
    for (const line of said) assert.match(line, /^pxstream: warning: line \d+: rejected \[/);
  });
});
