import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXAMPLES, ROOT, runInProcess, runTs, tempDir } from '../helpers/cli.js';

/** The examples cannot rot: the library example runs, every sample file dry-runs clean. */
describe('examples/', () => {
  it('library.ts runs against its emulator and reports the sample rejections', () => {
    const run = spawnSync(process.execPath, runTs(join(EXAMPLES, 'library.ts')), {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '8 read: 2 inserted, 0 updated, 6 rejected\n');
    assert.equal(run.stderr.trim().split('\n').length, 6, 'one line per rejected row');
  });

  for (const [type, file, config, bodies] of [
    ['USER', 'users.csv', 'pxstream.json', 300],
    ['USER', 'users.jsonl', 'pxstream-jsonl.json', 50],
    ['ACCOUNT', 'accounts.csv', 'pxstream.json', 20],
    ['CUSTOM_EVENT', 'events.csv', 'pxstream.json', 30],
    ['USER_PREFERENCES', 'preferences.csv', 'pxstream.json', 25],
  ] as const) {
    it(`${file} (${type}) maps without a rejection`, async () => {
      const { dir, cleanup } = await tempDir();
      try {
        const run = await runInProcess(
          ['-d', '-t', type, '-c', join(EXAMPLES, config), join(EXAMPLES, file)],
          {
            cwd: dir,
          },
        );
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout.trim().split('\n').length, bodies);
      } finally {
        await cleanup();
      }
    });
  }
});
