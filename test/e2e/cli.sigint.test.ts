import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runPxstream, startPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { writeUsersCsv } from '../helpers/data.js';
import { dump, emulator } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

/** Real processes: SIGINT is the process's. */
describe('pxstream on Ctrl-C', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite(
    { customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 20 } },
    (suite) => ({ px, dir } = suite),
  );

  it('stops reading and sending, finishes the requests on the wire, flushes the report and exits 130', async () => {
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 40 }));
    const report = join(dir, 'report.json');
    const run = await runPxstream(
      ['-v', '-i', '-t', 'USER', '-c', config, '--report', report, join(EXAMPLES, 'users.csv')],
      { cwd: dir, interruptWhen: { text: 'line 12:' } },
    );
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /interrupted/);
    const json = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(json.interrupted, true);
    const rows = json.rows;
    assert.ok(rows.read < 300, `stopped early: read ${rows.read}`);
    // Rows the sink held (waiting for the rate) are not sent: the checkpoint resumes from them.
    assert.equal(rows.updated + rows.inserted + rows.skipped + rows.rejected + rows.notSent, rows.read);
    assert.equal((await dump(px, 'users')).length, rows.inserted);
    assert.match(run.stdout, new RegExp(`DONE: 0 updated, ${rows.inserted} inserted, 0 skipped, 0 errors`));
  });

  it('flushes the rejects file: every rejection counted before the stop is in it, once', async () => {
    const input = join(dir, 'some-bad.csv');
    const file = await writeUsersCsv(input, 600, { badEvery: 7 });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 100 }), 'bad.json');
    const report = join(dir, 'bad-report.json');
    px.reset();
    const run = await runPxstream(['-i', '-t', 'USER', '-c', config, '--report', report, input], {
      cwd: dir,
      interruptWhen: { when: () => px.stats().requests >= 100 },
    });
    assert.equal(run.code, 130, run.stderr);
    const json = JSON.parse(await readFile(report, 'utf8'));
    assert.ok(json.rows.read < 600 && json.rows.rejected > 0, JSON.stringify(json.rows));
    const ids = (await readFile(join(dir, 'some-bad_rejects.csv'), 'utf8'))
      .split('\n')
      .filter((line) => /^u-\d{6},/.test(line))
      .map((line) => line.slice(0, 8));
    assert.equal(ids.length, json.rows.rejected, 'the file holds what the report counts');
    assert.deepEqual(
      ids,
      file.badIndices.slice(0, ids.length).map((i) => `u-${String(i).padStart(6, '0')}`),
    );
  });

  it('a second Ctrl-C aborts the requests in flight and still exits 130, with the report written', async () => {
    const hanging = await emulator({
      customAttributes: EXAMPLE_ATTRIBUTES,
      faults: { hang: 1, methods: ['PUT', 'POST'] },
    });
    try {
      const config = await writeConfig(dir, exampleConfig(hanging.baseUrl), 'hang.json');
      const report = join(dir, 'hang-report.json');
      const run = startPxstream(
        ['-i', '-t', 'USER', '-c', config, '--report', report, join(EXAMPLES, 'users.csv')],
        { cwd: dir },
      );
      let stderr = '';
      run.child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // Each wait ends too if the process exited: the test then fails on its exit code and
      // stderr, instead of waiting for ever.
      const running = () => run.child.exitCode === null && run.child.signalCode === null;
      while (hanging.stats().requests < 5 && running()) await new Promise((r) => setTimeout(r, 10));
      run.child.kill('SIGINT');
      while (!stderr.includes('Ctrl-C again') && running()) await new Promise((r) => setTimeout(r, 10));
      const started = Date.now();
      run.child.kill('SIGINT');
      const done = await run.done;
      assert.equal(done.code, 130, done.stderr);
      assert.ok(Date.now() - started < 10_000, 'did not wait for the hanging requests');
      const json = JSON.parse(await readFile(report, 'utf8'));
      assert.equal(json.interrupted, true);
      assert.equal(json.error.code, 'PIPELINE_ABORTED');
      assert.equal(json.rows.inserted, 0);
      assert.ok(json.rows.notSent > 0);
      assert.match(done.stderr, /--resume to carry on \(checkpoint: .*hang-report\.checkpoint\.json\)/);
    } finally {
      await hanging.close();
    }
  });
});
