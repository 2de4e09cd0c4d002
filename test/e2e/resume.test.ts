import assert from 'node:assert/strict';
import { access, appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, runPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { writeUsersCsv } from '../helpers/data.js';
import { dump, emulator, stableRecords } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

// Each first run is stopped 100 to 300 requests in (50 to 150 rows, plus the rows read ahead):
// well short of the 1,200 requests of the whole load.
const ROWS = 600;

/** Rows of the rejects CSV (after the header) by their id column. */
async function rejectedIds(path: string): Promise<string[]> {
  // Continuation lines of a quoted multi-line cell do not start a record.
  const lines = (await readFile(path, 'utf8'))
    .split('\n')
    .slice(1)
    .filter((line) => /^\w-\d{6},/.test(line));
  return lines.map((line) => line.slice(0, line.indexOf(',')));
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('pxstream --resume', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite(
    { customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 5 } },
    (suite) => ({ px, dir } = suite),
  );

  it('after Ctrl-C carries on where the load stopped and ends with the counts of a clean run', async () => {
    px.reset();
    const input = join(dir, 'users.csv');
    const file = await writeUsersCsv(input, ROWS);
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 400 }));
    const report = join(dir, 'run.json');
    const args = ['-t', 'USER', '-c', config, '-i', '--report', report, input];
    const first = await runPxstream(args, {
      cwd: dir,
      interruptWhen: { when: () => px.stats().requests >= 300 },
    });
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, /--resume to carry on \(checkpoint: .*run\.checkpoint\.json\)/);
    const stopped = JSON.parse(await readFile(report, 'utf8'));
    const { read, notSent } = stopped.rows;
    assert.ok(read < ROWS || notSent > 0, `the first run stopped early (read ${read}, not sent ${notSent})`);
    const checkpoint = JSON.parse(await readFile(join(dir, 'run.checkpoint.json'), 'utf8'));
    // The stop sends nothing new: a row whose next request (a POST after a PUT's 404) was still
    // to go is left unfinished, and the checkpoint stops below it.
    assert.ok(checkpoint.counters.read <= read - notSent, 'the checkpoint holds finished rows only');
    assert.doesNotMatch(JSON.stringify(checkpoint), /SECRET/);

    const second = await runInProcess([...args, '--resume'], { cwd: dir });
    assert.equal(second.code, 3, second.stderr);
    assert.match(second.stderr, /resuming at row \d+/);
    const final = JSON.parse(await readFile(report, 'utf8'));
    // Rows the first run finished above the checkpoint are sent again: PX has them, so they
    // count as updated. Every good row is counted once.
    assert.deepEqual(
      {
        read: final.rows.read,
        sent: final.rows.inserted + final.rows.updated,
        rejected: final.rows.rejected,
        notSent: final.rows.notSent,
      },
      { read: ROWS, sent: file.goodIds.length, rejected: file.badIndices.length, notSent: 0 },
    );
    assert.match(
      second.stdout,
      new RegExp(
        `DONE: ${final.rows.updated} updated, ${final.rows.inserted} inserted, 0 skipped, ${file.badIndices.length} errors`,
      ),
    );
    const rejected = await rejectedIds(join(dir, 'users_rejects.csv'));
    assert.deepEqual(
      rejected,
      file.badIndices.map((i) => `u-${String(i).padStart(6, '0')}`),
      'each bad row once, in order',
    );
    const users = await stableRecords(px, 'users');
    assert.deepEqual(
      users.map((u) => u.identifyId),
      file.goodIds,
    );
    assert.equal(px.stats().created.users, file.goodIds.length, 'no duplicate created');
    assert.equal(
      await exists(join(dir, 'run.checkpoint.json')),
      false,
      'a finished load removes its checkpoint',
    );
  });

  it('refuses to resume when the input or the config changed', async () => {
    px.reset();
    const input = join(dir, 'changing.csv');
    await writeUsersCsv(input, ROWS, { prefix: 'c' });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 300 }), 'changing.json');
    const args = ['-t', 'USER', '-c', config, '-i', input];
    const first = await runPxstream(args, {
      cwd: dir,
      interruptWhen: { when: () => px.stats().requests >= 100 },
    });
    assert.equal(first.code, 130, first.stderr);
    assert.ok(await exists(join(dir, 'changing_checkpoint.json')));

    const otherConfig = await writeConfig(
      dir,
      exampleConfig(px.baseUrl, { rate: 300, timezone: 'UTC' }),
      'other.json',
    );
    const configChanged = await runInProcess(['-t', 'USER', '-c', otherConfig, '-i', '--resume', input], {
      cwd: dir,
    });
    assert.equal(configChanged.code, 1);
    assert.match(configChanged.stderr, /--resume refused: the config or the options that decide the bodies/);

    const updateOnly = await runInProcess(['-t', 'USER', '-c', config, '--resume', input], { cwd: dir });
    assert.equal(updateOnly.code, 1, 'dropping --insert-missing changes what is sent');
    assert.match(updateOnly.stderr, /--resume refused/);

    await appendFile(input, 'c-999999,late@example.com,,,,,,,,,,,,,\n');
    const inputChanged = await runInProcess([...args, '--resume'], { cwd: dir });
    assert.equal(inputChanged.code, 1);
    assert.match(inputChanged.stderr, /not the one the checkpoint was written for \(its size changed/);
  });

  it('--resume without a checkpoint starts at the first row with a notice (a cron line may always say --resume)', async () => {
    px.reset();
    const input = join(dir, 'first-night.csv');
    await writeUsersCsv(input, 30, { prefix: 'f', badEvery: 1000 });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 500 }), 'first-night.json');
    const run = await runInProcess(['-t', 'USER', '-c', config, '-i', '--resume', input], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /pxstream: --resume: no checkpoint at .*first-night_checkpoint\.json: nothing to resume, starting at the first row\n/,
    );
    assert.equal(run.stdout, 'DONE: 0 updated, 30 inserted, 0 skipped, 0 errors\n');
  });

  it('resumes a load read from stdin by skipping the finished rows', async () => {
    px.reset();
    const input = join(dir, 'piped.csv');
    const file = await writeUsersCsv(input, ROWS, { prefix: 'p' });
    const csv = await readFile(input);
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 400 }), 'piped.json');
    const args = ['-t', 'USER', '-c', config, '-i', '--report', join(dir, 'piped-report.json')];
    const first = await runPxstream(args, {
      cwd: dir,
      stdin: csv,
      interruptWhen: { when: () => px.stats().requests >= 300 },
    });
    assert.equal(first.code, 130, first.stderr);
    const second = await runInProcess([...args, '--resume'], { cwd: dir, stdin: csv });
    assert.equal(second.code, 3, second.stderr);
    const final = JSON.parse(await readFile(join(dir, 'piped-report.json'), 'utf8'));
    assert.equal(final.rows.read, ROWS);
    assert.equal(final.rows.inserted + final.rows.updated, file.goodIds.length);
    assert.equal(final.rows.rejected, file.badIndices.length);
    assert.equal((await rejectedIds(join(dir, 'pxstream_rejects.csv'))).length, file.badIndices.length);
    assert.equal(px.stats().created.users, file.goodIds.length);
  });

  it('--no-wait: a daily quota said as such stops the load cleanly with a checkpoint; --resume the next day finishes it', async () => {
    // The quota's fast path: a 429 whose body says "quota" (PX documents none; see cli.no-wait
    // for PX refusing everything without saying why).
    const limited = await emulator({
      customAttributes: EXAMPLE_ATTRIBUTES,
      dailyQuota: 120,
      dailyQuotaBody: 'quota',
    });
    try {
      const config = await writeConfig(dir, exampleConfig(limited.baseUrl), 'quota.json');
      const report = join(dir, 'quota-report.json');
      const args = ['-i', '-t', 'USER', '-c', config, '--report', report, join(EXAMPLES, 'users.csv')];
      const first = await runInProcess([...args, '--no-wait'], { cwd: dir });
      assert.equal(first.code, 1, first.stderr);
      assert.match(
        first.stderr,
        /daily request quota is spent \(when it resets is not documented\): later, run the same command with --resume/,
      );
      const stopped = JSON.parse(await readFile(report, 'utf8'));
      assert.equal(stopped.error.code, 'PX_DAILY_QUOTA');
      assert.ok(stopped.rows.inserted > 0 && stopped.rows.inserted < 300);
      // The requests on the wire at the stop got their answers: every create PX applied is counted.
      assert.equal(limited.stats().created.users, stopped.rows.inserted, 'no answer lost at the stop');
      const checkpoint = JSON.parse(await readFile(join(dir, 'quota-report.checkpoint.json'), 'utf8'));
      assert.ok(checkpoint.counters.inserted <= stopped.rows.inserted);
      // The checkpoint holds the rows up to the first one left unfinished (its request refused by
      // the quota). Rows after it that finished in the meantime (how many depends on how the
      // requests interleaved) are sent again by the resume and found in PX: updated, not created.
      const again = stopped.rows.inserted - checkpoint.counters.inserted;

      limited.configure({ dailyQuota: false });
      const second = await runInProcess([...args, '--resume'], { cwd: dir });
      assert.equal(second.code, 0, second.stderr);
      assert.match(
        second.stdout,
        new RegExp(`DONE: ${again} updated, ${300 - again} inserted, 0 skipped, 0 errors`),
      );
      assert.equal((await dump(limited, 'users')).length, 300);
      assert.equal(limited.stats().created.users, 300, 'nothing created twice');
    } finally {
      await limited.close();
    }
  });
});
