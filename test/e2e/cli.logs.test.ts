import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { writeUsersCsv } from '../helpers/data.js';
import { emulatorSuite } from '../helpers/suite.js';

/** A progress line when stderr is not a terminal: `2026-12-02T14:02:11Z pxstream: 120 rows, 95 rows/s, ...`. */
const PROGRESS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ pxstream: \d+ rows, \d+ rows\/s/;

/**
 * Long runs in logs (in this process: stderr is a pipe, not a terminal): timestamped progress
 * lines, the lines of a wait for PX, and `--log-format json`.
 */
describe('pxstream in logs', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('prints a timestamped progress line every --progress-interval, with requests today and waits', async () => {
    px.reset();
    const input = join(dir, 'slow.csv');
    await writeUsersCsv(input, 60, { prefix: 's', badEvery: 1000 });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 50 }), 'slow.json');
    const run = await runInProcess(['-i', '-t', 'USER', '-c', config, '--progress-interval', '0.2', input], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stderr.split('\n').filter((line) => PROGRESS.test(line));
    assert.ok(lines.length >= 3, `${lines.length} progress lines in 60 rows at 50/s:\n${run.stderr}`);
    assert.match(lines[0]!, / \| upd \d+ ins \d+ skip 0 err 0 \| \d+ requests today \| 0 waits \(0s\)$/);
  });

  it('PX down: one line when the wait starts, one when it ends; progress shows it; the report counts it', async () => {
    px.reset();
    const input = join(dir, 'outage.csv');
    await writeUsersCsv(input, 150, { prefix: 'o', badEvery: 1000 });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 100 }), 'outage.json');
    const report = join(dir, 'outage-report.json');
    // Down after 40 requests, until the load waits (PX refused everything and no more requests
    // come), then back: the load's first probe finds it up.
    px.configure({ outage: { afterRequests: 40, kind: '503' } });
    const running = runInProcess(
      ['-i', '-t', 'USER', '-c', config, '--report', report, '--progress-interval', '0.2', input],
      { cwd: dir, timeoutMs: 30_000 },
    );
    let refused = -1;
    while (px.stats().outage.requests === 0 || px.stats().outage.requests !== refused) {
      refused = px.stats().outage.requests;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    px.endOutage();
    // The plan stays in the emulator's config: without this, the next test's `reset()` starts
    // its count again and PX goes down 40 requests into that load too (which then waits).
    px.configure({ outage: false });
    const run = await running;
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /\npxstream: PX has refused or failed every request since \d\d:\d\d:\d\d UTC \(HTTP 503 [^)]*\): waiting for it, one probe at a time, nothing else sent; \d+ requests sent to this PX today \(UTC\)\n/,
    );
    assert.match(
      run.stderr,
      /\npxstream: PX answers again after \d+s of waiting \(\d+ probes?\): carrying on\n/,
    );
    assert.match(run.stderr, /Z pxstream: .* \| waiting for PX since \d\d:\d\d:\d\d UTC: HTTP 503/);
    const json = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(json.rejected, 0);
    assert.equal(json.waits, 1);
    assert.ok(json.waitedMs >= 500, `waited ${json.waitedMs} ms`);
    assert.match(run.stderr, /, 1 wait \(\d+s\)\n/, 'the figures line counts the wait');
  });

  it('--log-format json: every stderr message is one JSON object with time, level, code, message and counters', async () => {
    px.reset();
    const input = join(dir, 'json.csv');
    await writeUsersCsv(input, 60, { prefix: 'j', badEvery: 10 });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 60 }), 'json.json');
    const run = await runInProcess(
      ['-i', '-t', 'USER', '-c', config, '--log-format', 'json', '--progress-interval', '0.2', input],
      { cwd: dir },
    );
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stdout, 'DONE: 0 updated, 54 inserted, 0 skipped, 6 errors\n', 'stdout is unchanged');
    const entries = run.stderr
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of entries) {
      assert.deepEqual(Object.keys(entry), ['time', 'level', 'code', 'message', 'counters']);
      assert.ok(!Number.isNaN(Date.parse(String(entry.time))));
      assert.ok(['info', 'warn', 'error', 'debug'].includes(String(entry.level)));
    }
    const codes = new Set(entries.map((entry) => entry.code));
    assert.ok(
      codes.has('PROGRESS') && codes.has('VALIDATE_INVALID_EMAIL') && codes.has('SUMMARY'),
      [...codes].join(),
    );
    const last = entries.at(-1)!;
    assert.equal((last.counters as Record<string, number>).rejected, 6);
    assert.equal((last.counters as Record<string, number>).read, 60);
  });
});
