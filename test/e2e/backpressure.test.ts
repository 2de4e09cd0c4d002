import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { runPxstream, tempDir, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { writeUsersCsv } from '../helpers/data.js';
import { dump, emulator } from '../helpers/emulator.js';

const ROWS = 150_000;

describe('backpressure: a slow PX holds the file read back', () => {
  let px: EmulatorHandle;
  let dir: string;
  let cleanup: () => Promise<void>;
  let input: string;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 200, jitterMs: 0 } });
    input = join(dir, 'users.csv');
    await writeUsersCsv(input, ROWS, { badEvery: 1_000_000 });
  });
  after(async () => {
    await px.close();
    await cleanup();
  });

  it('three seconds into a 150,000-row load at 100 requests/s, only the rows near the sink were read', async () => {
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const report = join(dir, 'report.json');
    const run = await runPxstream(
      ['-q', '-i', '-t', 'USER', '-c', config, '--rate', '100', '--report', report, input],
      // Three seconds of load at 100 requests/s, counted by PX: not a fixed delay from the
      // spawn, which a busy machine could spend starting the process.
      { cwd: dir, interruptWhen: { when: () => px.stats().requests >= 300 } },
    );
    assert.equal(run.code, 130, run.stderr);
    const { rows } = JSON.parse(await readFile(report, 'utf8'));
    // The file is read as fast as PX takes rows, plus a few small buffers: without
    // backpressure the whole file (read in well under three seconds) would be in memory.
    assert.ok(rows.read > 0 && rows.read < 3000, `${rows.read} rows read of ${ROWS}`);
    assert.equal(rows.updated + rows.inserted + rows.skipped + rows.rejected + rows.notSent, rows.read);
    assert.equal((await dump(px, 'users')).length, rows.inserted);
    assert.ok((await stat(input)).size > 15_000_000);
  });
});
