import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runInProcess, tempDir, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import type { UsersFile } from '../helpers/data.js';
import { emulator } from '../helpers/emulator.js';
import { inputAndReference, killAndResume, mixedFaults } from '../helpers/fault-scenarios.js';

/**
 * The scenarios of `../helpers/fault-scenarios.ts`, small: every assertion of the full-size
 * runs, on fewer rows (about 1,000 requests a load). `bench/src/soak/faults.ts` runs them at
 * soak size: 20,000 rows killed 1,500 to 5,500 requests into each run, 3,000 rows through the
 * faults.
 */
const ROWS = 600;

describe('fault suite: crashes and faults lose nothing and duplicate nothing', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let input: string;
  let file: UsersFile;
  let clean: Record<string, unknown>[];
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    // The reference: a clean run on its own emulator.
    ({ input, file, clean } = await inputAndReference(dir, ROWS, 'users'));
  });
  after(() => cleanup());

  it('kill -9 at three random points, resumed each time: same records as a clean run, each bad row once', async () => {
    // Each kill 60 to 260 requests into its run: at most 780 of the load's 1,000.
    await killAndResume({
      dir,
      input,
      file,
      clean,
      kills: 3,
      killAfterRequests: { first: 60, spread: 200 },
      rate: 3000,
    });
  });

  it('10% mixed faults (429 storms, 5xx, resets before and after, hangs): same records, no duplicate', async () => {
    await mixedFaults({
      dir,
      input,
      file,
      clean,
      rate: 1000,
      // A bucket of 5: a few requests at once get 429s however slow the machine (a busy one
      // would never reach 400/s on average, and a bigger bucket would let it through).
      rateLimit: { perSecond: 400, burst: 5 },
      faults: { seed: 7, serverError: 0.03, resetBefore: 0.02, resetAfter: 0.03, hang: 0.01 },
      timeoutMs: 500,
    });
  });

  it('an unwritable rejects file or checkpoint is fatal before any row is sent', async () => {
    const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES });
    try {
      const config = await writeConfig(dir, exampleConfig(px.baseUrl), 'unwritable.json');
      for (const extra of [
        ['--errors', '/dev/full'],
        ['--errors', join(dir, 'no-such-dir', 'rejects.csv')],
        ['--checkpoint', join(dir, 'no-such-dir', 'checkpoint.json')],
      ]) {
        const run = await runInProcess(['-t', 'USER', '-c', config, '-i', ...extra, input], { cwd: dir });
        assert.equal(run.code, 1, `${extra.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, /cannot write|REJECTS_WRITE_FAILED|no space/i);
        const writes = Object.keys(px.stats().byRoute).filter((route) => !route.startsWith('GET'));
        assert.deepEqual(writes, [], `${extra.join(' ')}: nothing was sent`);
      }
    } finally {
      await px.close();
    }
  });
});
