import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadOptions } from '../src/options.js';
import { resolveSettings } from '../src/settings.js';

const base: LoadOptions = { config: {}, type: 'USER', input: 'users.csv', cwd: '/work' };

/** The option rules refuse with LOAD_INVALID_OPTION and name the options in backquotes. */
function refused(options: Partial<LoadOptions>, words: RegExp): void {
  assert.throws(
    () => resolveSettings({ ...base, ...options } as LoadOptions),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'LOAD_INVALID_OPTION');
      assert.match(error.message, words);
      assert.doesNotMatch(error.message, /--[a-z]/, 'library words, not flags');
      return true;
    },
  );
}

describe('load settings: the rules between options', () => {
  it('refuses combinations that cannot run, naming the options', () => {
    refused({ type: 'CUSTOM_EVENT', insertMissing: true }, /`insertMissing` does not apply to CUSTOM_EVENT/);
    refused({ type: 'USER_PREFERENCES', insertMissing: true }, /`insertMissing` does not apply/);
    refused({ resume: true, dryRun: true }, /`resume` does not apply to `dryRun`/);
    refused({ resume: true, plan: true }, /`resume` does not apply to `dryRun`/);
    refused({ resume: true, emulator: true }, /`resume` does not apply to `emulator`/);
    refused({ changedOnly: true, fullResync: true }, /`changedOnly` and `fullResync` exclude each other/);
    refused({ plan: true, dryRun: true }, /`plan` sends nothing already/);
    refused({ plan: true, ledger: false }, /not with `ledger: false`/);
    refused({ changedOnly: true, ledger: false }, /compare with the ledger/);
    refused(
      { type: 'CUSTOM_EVENT', changedOnly: true },
      /`changedOnly` is for users, accounts and preferences/,
    );
    refused({ type: 'CUSTOM_EVENT', fullResync: true }, /`fullResync` would record every event again/);
    refused({ startRow: 5, lastRow: 4 }, /`lastRow` 4 is before `startRow` 5/);
    refused({ startRow: -1 }, /`startRow` must be a whole number >= 0/);
    refused({ lastRow: 1.5 }, /`lastRow` must be a whole number/);
    refused({ dryRunThreads: -2 }, /`dryRunThreads` must be a whole number/);
    refused({ type: 'BOGUS' as LoadOptions['type'] }, /unknown record type "BOGUS"/);
    refused({ format: 'xml' as LoadOptions['format'] }, /unknown `format` "xml"/);
    refused({ eventKey: 'id' }, /`eventKey` and `eventRetentionDays` apply to CUSTOM_EVENT, not USER/);
    refused({ type: 'CUSTOM_EVENT', eventKey: ' ' }, /`eventKey` must name a source column/);
    refused(
      { type: 'CUSTOM_EVENT', eventRetentionDays: 0 },
      /`eventRetentionDays` must be a whole number of days from 1 to 4096, got 0/,
    );
    refused(
      { type: 'CUSTOM_EVENT', eventRetentionDays: 4097 },
      /`eventRetentionDays` must be a whole number of days from 1 to 4096, got 4097/,
    );
  });

  it('accepts what can run: a plan is a dry run; the type is case-insensitive; the format from the extension', () => {
    const plan = resolveSettings({ ...base, type: 'user' as LoadOptions['type'], plan: true });
    assert.equal(plan.type, 'USER');
    assert.equal(plan.dryRun, true);
    assert.equal(plan.format, 'csv');
    assert.equal(resolveSettings({ ...base, input: 'x.ndjson.gz' }).format, 'jsonl');
    assert.equal(
      resolveSettings({ ...base, input: 'x.dat' }).format,
      undefined,
      'decided by the first bytes',
    );
  });

  it('writes no file unless asked: rejects and checkpoint take a path (resolved) or true (the default file)', () => {
    const none = resolveSettings(base);
    assert.deepEqual([none.rejects, none.checkpoint, none.report], [undefined, undefined, undefined]);
    const off = resolveSettings({ ...base, rejects: false, checkpoint: false });
    assert.deepEqual([off.rejects, off.checkpoint], [undefined, undefined]);
    const defaults = resolveSettings({ ...base, rejects: true, checkpoint: true });
    assert.deepEqual([defaults.rejects, defaults.checkpoint], [true, true]);
    const paths = resolveSettings({ ...base, rejects: 'out/r.csv', checkpoint: 'c.json', report: 'r.json' });
    assert.deepEqual(
      [paths.rejects, paths.checkpoint, paths.report],
      ['/work/out/r.csv', '/work/c.json', '/work/r.json'],
    );
  });
});
