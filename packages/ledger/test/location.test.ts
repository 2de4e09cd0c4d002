import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultLedgerDir, type LedgerTarget, openLedger } from '../src/index.js';
import { bodyHash, tempDir, USERS } from './helpers/temp.js';

const API_KEY = 'secret-api-key-1234';
/** A target object that also carries the API key, as a config object might. */
const withKey = { ...USERS, apiKey: API_KEY } as LedgerTarget;

describe('defaultLedgerDir', () => {
  it('honours PXSTREAM_LEDGER_DIR, then XDG_STATE_HOME, then ~/.local/state', () => {
    const env = { PXSTREAM_LEDGER_DIR: '/srv/ledgers', XDG_STATE_HOME: '/var/state' };
    const named = /^user-[0-9a-f]{16}$/;
    const first = defaultLedgerDir(USERS, env, 'linux', '/home/ann');
    assert.equal(first.startsWith('/srv/ledgers/'), true);
    assert.match(first.slice('/srv/ledgers/'.length), named);
    assert.equal(
      defaultLedgerDir(USERS, { XDG_STATE_HOME: '/var/state' }, 'linux', '/home/ann').startsWith(
        '/var/state/pxstream/ledgers/user-',
      ),
      true,
    );
    assert.equal(
      defaultLedgerDir(USERS, {}, 'linux', '/home/ann').startsWith(
        '/home/ann/.local/state/pxstream/ledgers/user-',
      ),
      true,
    );
    assert.equal(
      defaultLedgerDir(USERS, { XDG_STATE_HOME: 'relative' }, 'linux', '/home/ann').startsWith(
        '/home/ann/.local/',
      ),
      true,
    );
  });

  it('uses %LOCALAPPDATA% on Windows', () => {
    const dir = defaultLedgerDir(
      USERS,
      { LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' },
      'win32',
      'C:\\Users\\ann',
    );
    assert.match(dir, /^C:\\Users\\ann\\AppData\\Local\\pxstream\\ledgers\\user-[0-9a-f]{16}$/);
  });

  it('names one directory per target (type, URL, product keys), never from the API key', () => {
    const env = { PXSTREAM_LEDGER_DIR: '/l' };
    const dir = defaultLedgerDir(withKey, env, 'linux', '/h');
    assert.equal(dir, defaultLedgerDir(USERS, env, 'linux', '/h'));
    assert.equal(dir.includes(API_KEY), false);
    assert.notEqual(dir, defaultLedgerDir({ ...USERS, productKeys: ['AP-OTHER-9'] }, env, 'linux', '/h'));
    assert.notEqual(
      dir,
      defaultLedgerDir({ ...USERS, baseUrl: 'https://api-eu.aptrinsic.com/v1' }, env, 'linux', '/h'),
    );
    assert.match(
      defaultLedgerDir({ ...USERS, type: 'USER_PREFERENCES' }, env, 'linux', '/h'),
      /\/user-preferences-/,
    );
    assert.match(defaultLedgerDir({ ...USERS, type: 'CUSTOM_EVENT' }, env, 'linux', '/h'), /\/custom-event-/);
  });
});

describe('what a ledger stores', () => {
  it('never writes the API key, nor credentials in the base URL', async () => {
    const dir = await tempDir();
    const target = { ...withKey, baseUrl: `https://me:${API_KEY}@api.aptrinsic.com/v1?key=${API_KEY}` };
    const ledger = await openLedger({ dir, target });
    ledger.confirm('user-1', bodyHash('user-1'));
    await ledger.close();
    for (const name of await readdir(dir)) {
      const content = await readFile(join(dir, name), 'latin1');
      assert.equal(content.includes(API_KEY), false, `${name} holds the key`);
    }
    assert.equal(
      JSON.parse(await readFile(join(dir, 'ledger.json'), 'utf8')).target.baseUrl,
      'https://api.aptrinsic.com/v1',
    );
  });

  it('creates nothing when opened read-only where no ledger exists (--plan), and answers "changed"', async () => {
    const parent = await tempDir();
    const dir = join(parent, 'not', 'there');
    const ledger = await openLedger({ dir, target: USERS, readOnly: true });
    assert.equal(ledger.exists, false);
    assert.equal(ledger.hasUnchanged('user-1', bodyHash('user-1')), false);
    assert.deepEqual(ledger.counts(), {
      records: 0,
      pendingEvents: 0,
      confirmedEvents: 0,
      expiredEvents: 0,
      uncommitted: 0,
    });
    await ledger.close();
    assert.deepEqual(await readdir(parent), []);
  });

  it('reports a place it cannot use (a file, not a directory) as LEDGER_IO_FAILED', async () => {
    const dir = join(await tempDir(), 'a-file');
    await (await import('node:fs/promises')).writeFile(dir, 'x');
    await assert.rejects(openLedger({ dir, target: USERS }), { code: 'LEDGER_IO_FAILED' });
  });

  it('refuses a directory that holds other files', async () => {
    const dir = await tempDir();
    await (await import('node:fs/promises')).writeFile(join(dir, 'users.csv'), 'id\n1\n');
    await assert.rejects(openLedger({ dir, target: USERS }), { code: 'LEDGER_NOT_A_LEDGER' });
    await assert.rejects(openLedger({ dir, target: USERS, readOnly: true }), { code: 'LEDGER_NOT_A_LEDGER' });
    assert.deepEqual(await readdir(dir), ['users.csv']);
  });
});
