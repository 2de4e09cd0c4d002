import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, parseConfig, type RecordType, requireApiKey } from '@pxstream/config';
import type { PxStreamError } from '@pxstream/core';
import { API_KEY, baseConfig, tempDir, writeConfig } from './helpers.js';

describe('config errors: the file itself', () => {
  const dir = tempDir();
  it('CONFIG_FILE_NOT_FOUND names the path', async () => {
    const path = join(dir, 'absent.json');
    await assert.rejects(loadConfig(path, { env: {} }), (e: PxStreamError) => {
      assert.equal(e.code, 'CONFIG_FILE_NOT_FOUND');
      assert.ok(e.message.includes(path));
      return true;
    });
  });
  it('CONFIG_UNREADABLE for a directory', async () => {
    const path = join(dir, 'a-directory.json');
    mkdirSync(path);
    await assert.rejects(loadConfig(path, { env: {} }), { code: 'CONFIG_UNREADABLE', fatal: true });
  });
  it('CONFIG_UNREADABLE for a file without read permission', async (t) => {
    if (process.getuid?.() === 0) {
      // root reads any file: use a directory instead, still a read failure of the path.
      const path = join(dir, 'root-dir.json');
      mkdirSync(path);
      await assert.rejects(loadConfig(path, { env: {} }), { code: 'CONFIG_UNREADABLE' });
      return;
    }
    const path = writeConfig(dir, 'locked.json', baseConfig());
    chmodSync(path, 0o000);
    t.after(() => chmodSync(path, 0o600));
    await assert.rejects(loadConfig(path, { env: {} }), { code: 'CONFIG_UNREADABLE' });
  });
  it('CONFIG_UNKNOWN_TYPE for a record type that does not exist', () => {
    assert.throws(() => parseConfig(JSON.stringify(baseConfig()), { env: {}, type: 'LEAD' as RecordType }), {
      code: 'CONFIG_UNKNOWN_TYPE',
    });
  });
});

describe('config errors: the API key never leaks', () => {
  const broken = [
    `{"apiKey": ${API_KEY}}`,
    `{"apiKey": "${API_KEY}",}`,
    `{"apiKey": '${API_KEY}'}`,
    `{"apiKey": "${API_KEY}"\n"productKey": "AP"}`,
    `{"apiKey": "${API_KEY}\n"}`,
    `{"apiKey": "${API_KEY}`,
    `{"apiKey": "${API_KEY}"} trailing`,
  ];
  for (const [i, text] of broken.entries()) {
    it(`invalid JSON #${i} gives a position, not an excerpt`, () => {
      assert.throws(
        () => parseConfig(text, { path: 'c.json', env: {} }),
        (e: PxStreamError) => {
          assert.equal(e.code, 'CONFIG_INVALID_JSON');
          assert.ok(!e.message.includes(API_KEY.slice(0, 12)), e.message);
          assert.match(e.message, /^c\.json: invalid JSON at line \d+, column \d+: /);
          return true;
        },
      );
    });
  }
  it('invalid JSON reports the line and column of the error', () => {
    const text = '{\n  "apiKey": "k",\n  "productKey": "AP",\n}\n';
    assert.throws(() => parseConfig(text, { path: 'c.json', env: {} }), {
      code: 'CONFIG_INVALID_JSON',
      line: 4,
      column: 1,
    });
  });
});

describe('requireApiKey', () => {
  it('throws CONFIG_MISSING_API_KEY without a key, returns it otherwise', () => {
    const { apiKey: _, ...noKey } = baseConfig();
    const config = parseConfig(JSON.stringify(noKey), { path: 'c.json', env: {}, type: 'USER' });
    assert.equal(config.apiKey, undefined);
    assert.throws(() => requireApiKey(config), { code: 'CONFIG_MISSING_API_KEY', fatal: true });
    const keyed = parseConfig(JSON.stringify(baseConfig()), { env: {}, type: 'USER' });
    assert.equal(requireApiKey(keyed), API_KEY);
  });
});
