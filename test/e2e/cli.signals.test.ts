import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { startPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { writeUsersCsv } from '../helpers/data.js';
import { emulatorSuite } from '../helpers/suite.js';

/**
 * Real processes: SIGTERM (systemd, Docker, Kubernetes, `timeout`) and SIGHUP stop a load as
 * the first Ctrl-C does, and exit 143 and 129. At `--rate 20` the sink holds a queue of rows
 * waiting for the rate: the stop sends none of them, only the requests on the wire finish.
 */
describe('pxstream on SIGTERM and SIGHUP', () => {
  let px: EmulatorHandle;
  let dir: string;
  let input: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, async (suite) => {
    ({ px, dir } = suite);
    input = join(dir, 'users.csv');
    await writeUsersCsv(input, 400, { badEvery: 1000 });
  });

  /**
   * Starts a load at --rate 20, sends `signal` once `sent` requests reached PX, then `second`
   * (if any) once the stop line is on stderr, and waits for the end.
   */
  async function stopWith(signal: NodeJS.Signals, name: string, second?: NodeJS.Signals, sent = 10) {
    px.reset();
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 20 }), `${name}.json`);
    const report = join(dir, `${name}-report.json`);
    const run = startPxstream(['-i', '-t', 'USER', '-c', config, '--report', report, input], { cwd: dir });
    let stderr = '';
    run.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const running = () => run.child.exitCode === null && run.child.signalCode === null;
    while (px.stats().requests < sent && running()) await new Promise((r) => setTimeout(r, 10));
    const atSignal = px.stats().requests;
    run.child.kill(signal);
    if (second) {
      while (!stderr.includes(`${signal} again`) && running()) await new Promise((r) => setTimeout(r, 10));
      run.child.kill(second);
    }
    const done = await run.done;
    return {
      done,
      after: px.stats().requests - atSignal,
      report: JSON.parse(await readFile(report, 'utf8')),
    };
  }

  it('SIGTERM: sends nothing new, finishes what is on the wire, prints the summary and the resume hint, exits 143', async () => {
    const { done, after, report } = await stopWith('SIGTERM', 'term');
    assert.equal(done.code, 143, done.stderr);
    assert.match(done.stderr, /terminated \(SIGTERM\): stopped reading and sending/);
    assert.match(done.stdout, /^DONE: \d+ updated, \d+ inserted, 0 skipped, 0 errors\n$/);
    assert.match(
      done.stderr,
      /run the same command with --resume to carry on \(checkpoint: .*term-report\.checkpoint\.json\)/,
    );
    assert.equal(report.interrupted, true);
    assert.equal(report.exitCode, 143);
    assert.ok(report.rows.notSent > 0, 'rows held by the sink were not sent');
    // Requests already sent when the signal came may still reach PX; at 20/s that is one or two.
    assert.ok(after <= 3, `${after} requests reached PX after the signal`);
    assert.equal(report.error, null, 'the requests on the wire finished: nothing aborted');
  });

  it('SIGHUP: the same stop, exit 129; a second signal, of any kind, aborts the requests on the wire', async () => {
    // Every write hangs: only the second signal can end the requests on the wire. (The first
    // rows of a load with -i go out as the write order's 8 probes and wait for their answers.)
    px.configure({ faults: { hang: 1, methods: ['PUT', 'POST'] } });
    try {
      const { done, report } = await stopWith('SIGHUP', 'hup', 'SIGTERM', 5);
      assert.equal(done.code, 129, done.stderr);
      assert.match(done.stderr, /hung up \(SIGHUP\)/);
      assert.match(done.stderr, /--resume to carry on/);
      assert.equal(report.interrupted, true);
      assert.equal(report.aborted, true);
      assert.equal(report.error.code, 'PIPELINE_ABORTED');
      assert.equal(report.rows.inserted, 0);
    } finally {
      px.configure({ faults: {} });
    }
  });
});
