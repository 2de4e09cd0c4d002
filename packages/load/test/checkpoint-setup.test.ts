import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHECKPOINT_VERSION, writeCheckpoint } from '@pxstream/checkpoint';
import { type PxConfig, parseConfig } from '@pxstream/config';
import { RunStats } from '@pxstream/core';
import { planResume } from '../src/operations/load/checkpoint-setup.js';
import { openInput } from '../src/run/input.js';
import { type RunSettings, resolveSettings } from '../src/settings.js';

const CONFIG = {
  apiKey: 'k',
  productKey: 'AP-TEST00000000-2',
  fieldMapping: { USER: { identifyId: 'id', email: 'email' } },
};

describe('load checkpoint setup: when a resume is refused', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxstream-resume-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const config = (extra: Record<string, unknown> = {}): PxConfig =>
    parseConfig(JSON.stringify({ ...CONFIG, ...extra }), { type: 'USER' });
  const settings = (extra: Record<string, unknown> = {}): RunSettings => ({
    ...resolveSettings({
      config: {},
      type: 'USER',
      input: 'users.csv',
      cwd: dir,
      checkpoint: true,
      ...extra,
    }),
    format: 'csv',
  });

  /** A file, its checkpoint as a first run left it, and a resume of it with what changed since. */
  async function resumeAfter(change: {
    file?: string;
    config?: Record<string, unknown>;
    settings?: Record<string, unknown>;
  }) {
    const path = join(dir, 'users.csv');
    await writeFile(path, 'id,email\nu1,a@example.com\nu2,b@example.com\n');
    const first = await planResume(config(), settings(), await openInput(path, dir));
    assert.equal(first.path, join(dir, 'users_checkpoint.json'));
    await writeCheckpoint(first.path!, {
      version: CHECKPOINT_VERSION,
      writtenAt: new Date().toISOString(),
      input: { name: path, fingerprint: first.fingerprint },
      settingsHash: first.settingsHash,
      position: { index: 1, line: 3, byteOffset: 29 },
      counters: new RunStats().snapshot(),
      rejects: { path: join(dir, 'users_rejects.csv'), bytes: 0 },
    });
    if (change.file !== undefined) await writeFile(path, change.file);
    return planResume(
      config(change.config),
      settings({ resume: true, ...change.settings }),
      await openInput(path, dir),
    );
  }

  const refusal = (pattern: RegExp) => (error: Error & { code?: string }) => {
    assert.equal(error.code, 'RESUME_REFUSED');
    assert.match(error.message, pattern);
    return true;
  };

  it('resumes the same input with the same settings', async () => {
    const resumed = await resumeAfter({});
    assert.equal(resumed.from?.position?.index, 1);
  });

  it('refuses an input whose size or first bytes changed', async () => {
    await assert.rejects(resumeAfter({ file: 'id,email\nu1,a@example.com\n' }), refusal(/its size changed/));
    await assert.rejects(
      resumeAfter({ file: 'id,email\nu9,a@example.com\nu2,b@example.com\n' }),
      refusal(/its first bytes changed/),
    );
  });

  it('refuses settings that decide the bodies: mapping, insertMissing, row range, event key', async () => {
    const changed = refusal(/the config or the options that decide the bodies/);
    await assert.rejects(
      resumeAfter({ config: { fieldMapping: { USER: { identifyId: 'email' } } } }),
      changed,
    );
    await assert.rejects(resumeAfter({ settings: { insertMissing: true } }), changed);
    await assert.rejects(resumeAfter({ settings: { startRow: 1 } }), changed);
    await assert.rejects(resumeAfter({ config: { baseUrl: 'https://api-eu.aptrinsic.com/v1' } }), changed);
  });

  it('takes a changed rate or key (how, not what); a resume with no checkpoint to read starts at the first row', async () => {
    assert.ok((await resumeAfter({ config: { rate: 5, apiKey: 'other' } })).from);
    const path = join(dir, 'fresh.csv');
    await writeFile(path, 'id,email\nu1,a@example.com\n');
    const fresh = await planResume(config(), settings({ resume: true }), await openInput(path, dir));
    assert.equal(fresh.from, undefined);
    assert.equal(fresh.missing, fresh.path, 'says where it looked');
    await assert.rejects(
      planResume(config(), settings({ resume: true, checkpoint: undefined }), await openInput(path, dir)),
      (error: Error & { code?: string }) => error.code === 'LOAD_INVALID_OPTION',
    );
  });
});
