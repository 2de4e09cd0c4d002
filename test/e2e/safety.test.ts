import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, ROOT, runPxstream, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { dump, emulator, SECRET_KEY, stableRecords } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const TLS = join(ROOT, 'test/fixtures/tls');

describe('safety: transport, ids and the daily quota', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('refuses http:// for anything but loopback, from the flag and from the config', async () => {
    const config = await writeConfig(dir, exampleConfig(px.baseUrl), 'http.json');
    const flag = await runPxstream(
      ['-t', 'USER', '-c', config, '--base-url', 'http://px.example.com/v1', join(EXAMPLES, 'users.csv')],
      { cwd: dir },
    );
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /https:\/\/.*loopback/);
    const inConfig = await writeConfig(dir, exampleConfig('http://10.1.2.3/v1'), 'http-config.json');
    const fromConfig = await runPxstream(['-t', 'USER', '-c', inConfig, join(EXAMPLES, 'users.csv')], {
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
      const run = await runPxstream(['-t', 'USER', '-c', config, join(EXAMPLES, 'users.csv')], {
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
    const insert = await runPxstream(['-i', '-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(insert.code, 0, insert.stderr);
    assert.deepEqual((await dump(px, 'users')).map((u) => u.identifyId).sort(), [...ids].sort());
    // A second load updates exactly those records (no 404 from a mangled path, nothing new).
    const update = await runPxstream(['-t', 'USER', '-c', config, input], { cwd: dir });
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stdout, new RegExp(`DONE: ${ids.length} updated, 0 inserted, 0 skipped, 0 errors`));
    assert.equal((await stableRecords(px, 'users')).length, ids.length);
  });

  it('the daily quota stops the load cleanly with a checkpoint; --resume the next day finishes it', async () => {
    const limited = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES, dailyQuota: 120 });
    try {
      const config = await writeConfig(dir, exampleConfig(limited.baseUrl), 'quota.json');
      const report = join(dir, 'quota-report.json');
      const args = ['-i', '-t', 'USER', '-c', config, '--report', report, join(EXAMPLES, 'users.csv')];
      const first = await runPxstream(args, { cwd: dir });
      assert.equal(first.code, 1, first.stderr);
      assert.match(
        first.stderr,
        /daily request quota is spent; it resets at 00:00 UTC \(in \d+h\d\dm\): then run the same command with --resume/,
      );
      const stopped = JSON.parse(await readFile(report, 'utf8'));
      assert.equal(stopped.error.code, 'PX_DAILY_QUOTA');
      assert.ok(stopped.rows.inserted > 0 && stopped.rows.inserted < 300);
      // The requests on the wire at the stop got their answers: every create PX applied is counted.
      assert.equal(limited.stats().created.users, stopped.rows.inserted, 'no answer lost at the stop');
      const checkpoint = JSON.parse(await readFile(join(dir, 'quota-report.checkpoint.json'), 'utf8'));
      assert.ok(checkpoint.counters.inserted <= stopped.rows.inserted);
      // The checkpoint holds the rows up to the first one left unfinished (its request refused by
      // the quota). Rows after it that finished in the meantime (how many depends on how the
      // requests interleaved) are sent again by the resume and found in PX: updated, not created.
      const again = stopped.rows.inserted - checkpoint.counters.inserted;

      limited.configure({ dailyQuota: false });
      const second = await runPxstream([...args, '--resume'], { cwd: dir });
      assert.equal(second.code, 0, second.stderr);
      assert.match(
        second.stdout,
        new RegExp(`DONE: ${again} updated, ${300 - again} inserted, 0 skipped, 0 errors`),
      );
      assert.equal((await dump(limited, 'users')).length, 300);
      assert.equal(limited.stats().created.users, 300, 'nothing created twice');
    } finally {
      await limited.close();
    }
  });
});
