import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, ROOT, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { dump, SECRET_KEY, stableRecords } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const TLS = join(ROOT, 'test/fixtures/tls');

describe('transport: https off loopback, certificates checked, ids kept inside their path', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('refuses http:// for anything but loopback, from the flag and from the config', async () => {
    const config = await writeConfig(dir, exampleConfig(px.baseUrl), 'http.json');
    const flag = await runInProcess(
      ['-t', 'USER', '-c', config, '--base-url', 'http://px.example.com/v1', join(EXAMPLES, 'users.csv')],
      { cwd: dir },
    );
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /https:\/\/.*loopback/);
    const inConfig = await writeConfig(dir, exampleConfig('http://10.1.2.3/v1'), 'http-config.json');
    const fromConfig = await runInProcess(['-t', 'USER', '-c', inConfig, join(EXAMPLES, 'users.csv')], {
      cwd: dir,
    });
    assert.equal(fromConfig.code, 1);
    assert.match(fromConfig.stderr, /https:\/\/.*loopback/);
    assert.ok(!(flag.stderr + fromConfig.stderr).includes(SECRET_KEY));
  });

  it('a TLS certificate error is fatal, before any row is sent', async () => {
    let requests = 0;
    const server = createServer(
      {
        key: await readFile(join(TLS, 'self-signed.key')),
        cert: await readFile(join(TLS, 'self-signed.crt')),
      },
      (_req, res) => {
        requests++;
        res.writeHead(204).end();
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const config = await writeConfig(dir, exampleConfig(`https://127.0.0.1:${port}/v1`), 'tls.json');
      const run = await runInProcess(['-t', 'USER', '-c', config, join(EXAMPLES, 'users.csv')], {
        cwd: dir,
        timeoutMs: 60_000,
      });
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /certificate/i);
      assert.equal(requests, 0, 'no request got through');
      assert.doesNotMatch(run.stdout, /DONE: \d+ updated, [1-9]/);
    } finally {
      server.close();
    }
  });

  it('ids cannot escape their path: ../, %2F, ? and # update exactly their own records', async () => {
    px.reset();
    const ids = ['../admin', 'a%2Fb', 'q?x=1', 'h#frag', 'update', 'sp ace/é'];
    const csv = `id,email\n${ids.map((id, i) => `"${id}",u${i}@example.com`).join('\n')}\n`;
    const input = join(dir, 'odd-ids.csv');
    await import('node:fs/promises').then((fs) => fs.writeFile(input, csv));
    const config = await writeConfig(
      dir,
      {
        ...exampleConfig(px.baseUrl),
        fieldMapping: { USER: { identifyId: 'id', email: 'email' } },
      },
      'ids.json',
    );
    const insert = await runInProcess(['-i', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(insert.code, 0, insert.stderr);
    assert.deepEqual((await dump(px, 'users')).map((u) => u.identifyId).sort(), [...ids].sort());
    // A second load updates exactly those records (no 404 from a mangled path, nothing new).
    const update = await runInProcess(['-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stdout, new RegExp(`DONE: ${ids.length} updated, 0 inserted, 0 skipped, 0 errors`));
    assert.equal((await stableRecords(px, 'users')).length, ids.length);
  });
});
