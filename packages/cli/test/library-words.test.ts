import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { addCommandFields, exitCodeOf, inFlagWords } from '../src/library-words.js';

describe('the library in the command', () => {
  it('says the library option names as flags; names with no flag keep their quotes', () => {
    assert.equal(
      inFlagWords('`changedOnly` and `fullResync` exclude each other; not with `ledger: false`'),
      '--changed-only and --full-resync exclude each other; not with --no-ledger',
    );
    assert.equal(inFlagWords('`rejects` and `timeoutMs`'), '--errors and --timeout');
    assert.equal(inFlagWords('`dailyBudget` with `wait: false`'), '--daily-budget with --no-wait');
    assert.equal(inFlagWords("`dryRunThreads` is the library's"), "`dryRunThreads` is the library's");
    assert.equal(inFlagWords('no quotes, no change: insertMissing'), 'no quotes, no change: insertMissing');
  });

  it('exit codes by precedence: stopped twice, then fatal, then stopped, then rejected rows, else 0', () => {
    const report = { error: null, interrupted: false, aborted: false, rejected: 0, plan: null };
    const error = { code: 'PX_AUTH_FAILED', message: 'x' };
    assert.equal(exitCodeOf(report), 0);
    assert.equal(exitCodeOf({ ...report, rejected: 2 }), 3);
    assert.equal(
      exitCodeOf({ ...report, rejected: 2, plan: {} as never }),
      0,
      'a plan only counts rejections',
    );
    assert.equal(exitCodeOf({ ...report, rejected: 2, interrupted: true }), 130);
    assert.equal(
      exitCodeOf({ ...report, rejected: 2, interrupted: true, error }),
      1,
      'a failure while stopping',
    );
    assert.equal(exitCodeOf({ ...report, interrupted: true, aborted: true, error }), 130, 'stopped twice');
    assert.equal(exitCodeOf({ ...report, error, rejected: 9 }), 1);
  });

  it("the command's report file: the library's, with tool after the counts and exitCode after rejectsFile", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pxstream-cli-'));
    try {
      const path = join(dir, 'r.json');
      const written = {
        updated: 1,
        inserted: 0,
        skipped: 0,
        rejected: 0,
        type: 'USER',
        rejectsFile: null,
        error: { code: 'X', message: 'try `insertMissing`' },
        warnings: ['`strict`: 2 mapped attribute(s)'],
      };
      await writeFile(path, JSON.stringify(written));
      await addCommandFields(path, 1);
      const text = await readFile(path, 'utf8');
      assert.deepEqual(Object.keys(JSON.parse(text)), [
        'updated',
        'inserted',
        'skipped',
        'rejected',
        'tool',
        'type',
        'rejectsFile',
        'exitCode',
        'error',
        'warnings',
      ]);
      const report = JSON.parse(text);
      assert.equal(report.tool, 'pxstream');
      assert.equal(report.exitCode, 1);
      assert.equal(report.error.message, 'try --insert-missing');
      assert.deepEqual(report.warnings, ['--strict: 2 mapped attribute(s)']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
