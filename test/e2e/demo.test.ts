import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../helpers/cli.js';
import { dump, emulator, SECRET_KEY } from '../helpers/emulator.js';

/** `pnpm demo`, i.e. `node scripts/demo.mjs`, with only the given PX variables set. */
function demo(env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/demo.mjs')], {
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
  it('without PX credentials loads the sample into the embedded emulator', async () => {
    const run = await demo({});
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /embedded PX emulator at http:\/\/127\.0\.0\.1:\d+\/v1/);
    assert.equal(run.stdout.trim(), 'DONE: 0 updated, 300 inserted, 0 skipped, 0 errors');
  });

  it('with PX_API_KEY and PX_PRODUCT_KEY loads the sample into that PX, under that product', async () => {
    const px = await emulator({ customAttributes: { user: [{ apiName: 'plan', type: 'STRING' }] } });
    try {
      const run = await demo({
        PX_API_KEY: SECRET_KEY,
        PX_PRODUCT_KEY: 'AP-REAL000000-7',
        PX_BASE_URL: px.baseUrl,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /embedded/);
      assert.equal(run.stdout.trim(), 'DONE: 0 updated, 300 inserted, 0 skipped, 0 errors');
      const users = await dump(px, 'users');
      assert.equal(users.length, 300);
      assert.ok(users.every((user) => JSON.stringify(user.propertyKeys) === '["AP-REAL000000-7"]'));
      assert.ok(!`${run.stdout}${run.stderr}`.includes(SECRET_KEY));
    } finally {
      await px.close();
    }
  });

  it('with PX_API_KEY but no PX_PRODUCT_KEY refuses before sending anything', async () => {
    const px = await emulator();
    try {
      const run = await demo({ PX_API_KEY: SECRET_KEY, PX_BASE_URL: px.baseUrl });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /set PX_PRODUCT_KEY/);
      assert.equal(px.stats().requests, 0);
    } finally {
      await px.close();
    }
  });
});
