import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runPxstream, tempDir, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { dump, emulator } from '../helpers/emulator.js';

describe('pxstream on Ctrl-C', () => {
  let px: EmulatorHandle;
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, latency: { fixedMs: 20 } });
    ({ dir, cleanup } = await tempDir());
  });
  after(async () => {
    await px.close();
    await cleanup();
  });

  it('stops reading, finishes rows in flight, flushes the report and exits 130', async () => {
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
    assert.equal(rows.notSent, 0, 'every row read was finished');
    assert.equal(rows.updated + rows.inserted + rows.skipped + rows.rejected, rows.read);
    assert.equal((await dump(px, 'users')).length, rows.inserted);
    assert.match(run.stdout, new RegExp(`DONE: 0 updated, ${rows.inserted} inserted, 0 skipped, 0 errors`));
  });
});
