import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runInProcess, tempDir, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { writeUsersCsv } from '../helpers/data.js';
import { emulator } from '../helpers/emulator.js';

/**
 * The requests in flight a load allowed and the round trip they were sized from, where a user
 * sees them: the --report file's `concurrency` and `roundTripMs`, and --verbose's line, which
 * say the same. Small: 20 users (none in PX: one PUT each, answered 404) against an emulator
 * answering in 400 ms, at --rate 50.
 */
describe('pxstream: requests in flight and the round trip, in the report and with --verbose', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let px: EmulatorHandle;
  let config: string;
  let input: string;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 400 } });
    config = await writeConfig(dir, exampleConfig(px.baseUrl, { rate: 50 }));
    input = join(dir, 'users.csv');
    await writeUsersCsv(input, 20, { badEvery: 1000 });
  });
  after(async () => {
    await px.close();
    await cleanup();
  });

  /** A verbose load with a report: the report, and the IN_FLIGHT line it printed. */
  async function verboseLoad(name: string, flags: string[]) {
    const report = join(dir, `${name}.json`);
    const run = await runInProcess(['-v', '-t', 'USER', '-c', config, '--report', report, ...flags, input], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(await readFile(report, 'utf8'));
    const line = /^.*requests in flight: at most (\d+); round trip p50 (\d+) ms, p90 (\d+) ms$/m.exec(
      run.stderr,
    );
    assert.ok(line, run.stderr);
    return { json, line: line.slice(1).map(Number) };
  }

  it('by default sized from the round trip (50/s × 0.4 s × 1.25 = 25, not the 13 it starts with); --verbose says what the report says', async () => {
    const { json, line } = await verboseLoad('sized', []);
    const { p50, p90 } = json.roundTripMs as { p50: number; p90: number };
    // 400 ms answers; a busy machine (the suite's other files) adds its own delays.
    assert.ok(p50 >= 400 && p50 <= p90 && p90 < 800, JSON.stringify(json.roundTripMs));
    // The largest cap of the run: what the p90 of the answers asked for (26 at a p90 of 401 to
    // 416 ms on a quiet machine), or a little more, and never more than the slowest p90 allowed
    // here asks for (50/s × 0.8 s × 1.25 = 50); above the 13 it starts with.
    assert.ok(json.concurrency >= Math.ceil(50 * (p90 / 1000) * 1.25), `${json.concurrency} in flight`);
    assert.ok(json.concurrency > 13 && json.concurrency <= 50, `${json.concurrency} in flight`);
    assert.deepEqual(line, [json.concurrency, Math.round(p50), Math.round(p90)]);
  });

  it('--concurrency pins it: the report and --verbose say 5, and the round trip still measured', async () => {
    const { json, line } = await verboseLoad('pinned', ['--concurrency', '5']);
    assert.equal(json.concurrency, 5);
    const { p50, p90 } = json.roundTripMs as { p50: number; p90: number };
    assert.ok(p50 >= 400 && p50 <= p90 && p90 < 800, JSON.stringify(json.roundTripMs));
    assert.deepEqual(line, [5, Math.round(p50), Math.round(p90)]);
  });
});
