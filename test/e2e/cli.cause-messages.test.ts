import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXAMPLES, runInProcess, tempDir, writeConfig } from '../helpers/cli.js';
import { exampleConfig } from '../helpers/configs.js';

/**
 * Messages that name the cause, before anything is sent (in this process, over real sockets):
 * a gateway that answers the pre-flight's metadata read 404 in JSON, a config file that is not
 * there.
 */
describe('pxstream names the cause', () => {
  let gateway: Server;
  let url: string;
  let requests: string[];
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ dir, cleanup } = await tempDir());
    requests = [];
    // A gateway in front of PX whose 404 looks like PX's own record "not found".
    gateway = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ externalapierror: { status: 'NOT_FOUND', message: 'Resource not found' } }),
      );
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => gateway.close(resolve));
    await cleanup();
  });

  it('a 404 on the metadata read is a wrong base URL, whatever its body; the hint names /v1 when the path lacks it', async () => {
    const users = join(EXAMPLES, 'users.csv');
    const bare = await writeConfig(dir, exampleConfig(`${url}/api`), 'bare.json');
    const run = await runInProcess(['-i', '-t', 'USER', '-c', bare, users], { cwd: dir });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /error: PX answered GET \/admin\/model\/user\/attributes with 404 \(Resource not found\) at http:\/\/127\.0\.0\.1:\d+\/api: PX always has it, so the base URL is wrong: the base URL must end in \/v1 \(set baseUrl to http:\/\/127\.0\.0\.1:\d+\/api\/v1\)/,
    );
    assert.deepEqual(requests, ['GET /api/admin/model/user/attributes'], 'one request, no row sent');

    const versioned = await writeConfig(dir, exampleConfig(`${url}/v1`), 'versioned.json');
    const again = await runInProcess(['-t', 'ACCOUNT', '-c', versioned, join(EXAMPLES, 'accounts.csv')], {
      cwd: dir,
    });
    assert.equal(again.code, 1, again.stderr);
    assert.match(
      again.stderr,
      /404 .* check that the base URL is the PX API \(e\.g\. https:\/\/api\.aptrinsic\.com\/v1\)/,
    );
  });

  it('a missing config file suggests -c <file>', async () => {
    const run = await runInProcess(['-t', 'USER', join(EXAMPLES, 'users.csv')], { cwd: dir });
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /^pxstream: error: .*pxstream\.json: config file not found: name your config file with -c <file>\n$/,
    );
  });
});
