/**
 * `pxstream export` as a process: what needs a real one (a signal, a reader that goes away).
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { startPxstream } from '../helpers/cli.js';
import { seed } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

describe('pxstream export, the process', () => {
  let px: EmulatorHandle;
  let dir: string;
  let config: string;
  // Slow pages: the export is surely under way when the test acts.
  emulatorSuite({ latency: { fixedMs: 300 } }, async (suite) => {
    ({ px, dir, config } = suite);
    const users = Array.from({ length: 5000 }, (_, i) => ({
      identifyId: `p${String(i).padStart(5, '0')}`,
      propertyKeys: ['AP-DEMO00000000-2'],
      email: `p${i}@example.com`,
    }));
    await seed(px, { users });
  });

  it('Ctrl-C stops it with 130 and leaves no file', async () => {
    const run = startPxstream(['export', '-t', 'USER', '-c', config, '-o', 'stopped.csv'], {
      cwd: dir,
      interruptWhen: { text: 'users to export' },
    });
    const { code, stderr } = await run.done;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /stopped after \d+ records: no file written/);
    assert.ok(!(await readdir(dir)).some((file) => file.startsWith('stopped.csv')));
  });

  it('a reader that goes away (| head) ends it quietly with 0', async () => {
    px.configure({ latency: { fixedMs: 100 } });
    const run = startPxstream(['export', '-t', 'USER', '-c', config], { cwd: dir });
    run.child.stdout?.once('data', () => run.child.stdout?.destroy());
    const { code, stderr } = await run.done;
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /error/);
  });
});
