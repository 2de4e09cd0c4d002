/**
 * `--config <file>` (issue 15): the custom attributes of a pxstream config's fieldMapping are
 * declared, typed from attributeTypes; its apiKey is accepted and never printed; a bad file
 * exits 2. End to end through the bin with examples/pxstream.json.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEmulatorArgs, runEmulatorCli } from '@pxstream/emulator';

const BIN = fileURLToPath(new URL('../bin/pxstream-emulator.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../examples/pxstream.json', import.meta.url));
const SECRET = 'pxk-config-SECRET-5d1c9e07';

const dir = mkdtempSync(join(tmpdir(), 'px-emulator-config-'));
function configFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Runs the command in-process until `use` is done; returns its exit code and everything it wrote. */
async function runCli(argv: string[], use?: (baseUrl: string) => Promise<void>) {
  let out = '';
  let stop!: () => void;
  let listening!: () => void;
  // Whichever comes first: the command ends (bad flags or config), or it prints its URL.
  const printedUrl = new Promise<undefined>((resolve) => (listening = () => resolve(undefined)));
  const io = {
    stdout: {
      write: (t: string) => {
        out += t;
        if (out.includes('listening on ')) listening();
      },
    },
    stderr: { write: (t: string) => (out += t) },
    stop: new Promise<void>((resolve) => (stop = resolve)),
  };
  const running = runEmulatorCli(argv, io);
  const code = await Promise.race([running, printedUrl]);
  if (code !== undefined) return { code, out };
  const baseUrl = /listening on (\S+)/.exec(out)?.[1];
  assert.ok(baseUrl, out);
  try {
    await use?.(baseUrl);
  } finally {
    stop();
  }
  return { code: await running, out };
}

const send = (baseUrl: string, key: string, method: string, path: string, body?: unknown) =>
  fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'x-aptrinsic-api-key': key, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('pxstream-emulator --config', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the bin with examples/pxstream.json accepts its custom attributes (user plan, account tier)', async () => {
    const child = spawn(process.execPath, [BIN, '--config', EXAMPLE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (t: string) => (out += t));
    child.stderr.on('data', (t: Buffer) => (out += t.toString()));
    const exited = once(child, 'exit');
    try {
      while (!out.includes('\n')) await once(child.stdout, 'data');
      const baseUrl =
        /^PX emulator listening on (http:\/\/127\.0\.0\.1:\d+\/v1) \(API key: emulator-key\)\n$/.exec(
          out,
        )?.[1];
      assert.ok(baseUrl, out);
      const key = 'emulator-key';
      const created = await send(baseUrl, key, 'POST', '/users', {
        identifyId: 'user-0001',
        propertyKeys: ['AP-DEMO00000000-2'],
        customAttributes: { plan: 'pro' },
      });
      assert.equal(created.status, 201, await created.text());
      const updated = await send(baseUrl, key, 'PUT', '/users/user-0001', {
        customAttributes: { plan: 'free' },
      });
      assert.equal(updated.status, 204, await updated.text());
      const read = (await (await send(baseUrl, key, 'GET', '/users/user-0001')).json()) as {
        customAttributes: unknown;
      };
      assert.deepEqual(read.customAttributes, { plan: 'free' });
      const account = await send(baseUrl, key, 'POST', '/accounts', {
        id: 'ACC-001',
        name: 'Acme',
        propertyKeys: ['AP-DEMO00000000-2'],
        customAttributes: { tier: 'gold' },
      });
      assert.equal(account.status, 201, await account.text());
      const unknown = await send(baseUrl, key, 'PUT', '/users/user-0001', { customAttributes: { seats: 3 } });
      assert.equal(unknown.status, 400, 'attributes the config does not map stay unknown');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('parses to the custom attributes, typed from attributeTypes (default STRING, any case)', () => {
    const file = configFile('typed.json', {
      fieldMapping: {
        USER: { identifyId: 'id', 'customAttributes.seats': 'seats', 'customAttributes.plan': 'plan' },
        ACCOUNT: { id: 'id', 'customAttributes.renewed': 'renewed' },
        CUSTOM_EVENT: { 'attributes.plan': 'plan' },
      },
      attributeTypes: { 'customAttributes.seats': ' number ', 'customAttributes.renewed': 'DATE_TIME' },
    });
    assert.deepEqual(parseEmulatorArgs(['--config', file]), {
      customAttributes: {
        user: [
          { apiName: 'seats', type: 'NUMBER' },
          { apiName: 'plan', type: 'STRING' },
        ],
        account: [{ apiName: 'renewed', type: 'DATE_TIME' }],
      },
    });
  });

  it('--custom-attribute adds to and overrides the config', async () => {
    const argv = [
      '--config',
      EXAMPLE,
      '--custom-attribute',
      'plan:NUMBER',
      '--custom-attribute',
      'account.size:NUMBER',
    ];
    assert.deepEqual(parseEmulatorArgs(argv).customAttributes, {
      user: [{ apiName: 'plan', type: 'NUMBER' }],
      account: [
        { apiName: 'tier', type: 'STRING' },
        { apiName: 'size', type: 'NUMBER' },
      ],
    });
    const { code } = await runCli(argv, async (baseUrl) => {
      const user = (plan: unknown) => ({
        identifyId: `u-${plan}`,
        propertyKeys: ['AP-1'],
        customAttributes: { plan },
      });
      assert.equal((await send(baseUrl, 'emulator-key', 'POST', '/users', user('gold'))).status, 400);
      assert.equal((await send(baseUrl, 'emulator-key', 'POST', '/users', user(3))).status, 201);
    });
    assert.equal(code, 0);
  });

  it("accepts the config's apiKey besides the others, and never prints it", async () => {
    const file = configFile('with-key.json', { apiKey: ` ${SECRET} `, fieldMapping: {} });
    const { code, out } = await runCli(['--config', file, '--api-key', 'k-1'], async (baseUrl) => {
      for (const key of [SECRET, 'k-1'])
        assert.equal((await send(baseUrl, key, 'GET', '/users')).status, 200, key);
      assert.equal(
        (await send(baseUrl, 'emulator-key', 'GET', '/users')).status,
        401,
        'flags replace the default',
      );
    });
    assert.equal(code, 0);
    assert.match(out, /\(API key: the config's apiKey, or k-1\)\n/);
    assert.ok(!out.includes(SECRET), out);
  });

  /** [case, file content (undefined: no such file), message] */
  const bad: Array<[string, unknown, RegExp]> = [
    ['a missing file', undefined, /no such file/],
    ['invalid JSON (the parser would quote a piece of the key)', `{"apiKey": ${SECRET}}`, /not valid JSON/],
    ['a JSON array', '[]', /expected a JSON object/],
    ['a fieldMapping that is not an object', { apiKey: SECRET, fieldMapping: 'USER' }, /fieldMapping/],
    [
      'an unknown attribute type',
      {
        fieldMapping: { USER: { 'customAttributes.plan': 'plan' } },
        attributeTypes: { 'customAttributes.plan': 'TEXT' },
      },
      /attributeTypes\.customAttributes\.plan/,
    ],
    ['an apiKey that is not a string', { apiKey: 42 }, /apiKey must be a string/],
  ];
  for (const [name, content, message] of bad) {
    it(`${name}: exit 2 with a clear message, the key never shown`, async () => {
      const file =
        content === undefined ? join(dir, 'absent.json') : configFile(`${name.length}.json`, content);
      const { code, out } = await runCli(['--config', file]);
      assert.equal(code, 2);
      assert.match(out, message);
      assert.match(out, new RegExp(`--config ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.ok(!out.includes(SECRET.slice(0, 8)), out);
      assert.throws(() => parseEmulatorArgs(['--config', file]), { code: 'EMULATOR_INVALID_CONFIG_FILE' });
    });
  }
});
