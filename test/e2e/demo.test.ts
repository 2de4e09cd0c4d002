import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, tempDir } from '../helpers/cli.js';
import { dump, emulator, SECRET_KEY } from '../helpers/emulator.js';

let dir: string;
let cleanup: () => Promise<void>;

/**
 * `pnpm demo`, i.e. `node scripts/demo.mjs`, with only the given PX variables set. It runs in
 * the repository, where its checkpoint would go: here the checkpoint goes to a directory of
 * this file's own (other files run the demo at the same time).
 */
function demo(env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const script = join(ROOT, 'scripts/demo.mjs');
    const child = spawn(process.execPath, [script, '--checkpoint', join(dir, 'demo-checkpoint.json')], {
      cwd: ROOT,
      env: { ...process.env, PX_API_KEY: '', PX_BASE_URL: '', PX_PRODUCT_KEY: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the main job (pnpm demo)', () => {
  before(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  after(() => cleanup());

  it('without PX credentials loads the sample into the embedded emulator, and says so first', async () => {
    const run = await demo({});
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr.split('\n')[0] ?? '',
      /^pxstream: loading USER into the embedded PX emulator at http:\/\/127\.0\.0\.1:\d+\/v1, product AP-DEMO00000000-2$/,
    );
    assert.equal(run.stdout.trim(), 'DONE: 0 updated, 300 inserted, 0 skipped, 0 errors');
  });

  it('with PX credentials in the environment still loads only into the emulator: nothing reaches that PX', async () => {
    // A stand-in for production: it must not see a single request.
    const production = await emulator({ customAttributes: { user: [{ apiName: 'plan', type: 'STRING' }] } });
    try {
      const run = await demo({
        PX_API_KEY: SECRET_KEY,
        PX_PRODUCT_KEY: 'AP-REAL000000-7',
        PX_BASE_URL: production.baseUrl,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stderr.split('\n')[0] ?? '',
        /into the embedded PX emulator at http:\/\/127\.0\.0\.1:\d+\/v1/,
      );
      assert.doesNotMatch(run.stderr, new RegExp(production.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.equal(run.stdout.trim(), 'DONE: 0 updated, 300 inserted, 0 skipped, 0 errors');
      assert.equal(production.stats().requests, 0);
      assert.equal((await dump(production, 'users')).length, 0);
      assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET_KEY));
    } finally {
      await production.close();
    }
  });
});
