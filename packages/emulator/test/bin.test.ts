import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EMULATOR_HELP, parseEmulatorArgs, runEmulatorCli } from '@pxstream/emulator';

const BIN = fileURLToPath(new URL('../bin/pxstream-emulator.js', import.meta.url));

describe('pxstream-emulator flags', () => {
  const table: Array<[string[], unknown]> = [
    [[], {}],
    [['--port', '8123', '--host', '::1'], { port: 8123, host: '::1' }],
    [['--api-key', 'a', '--api-key', 'b'], { apiKeys: ['a', 'b'] }],
    [['--rate', '50'], { rateLimit: { perSecond: 50, burst: 50 } }],
    [['--rate', '50', '--burst', '10'], { rateLimit: { perSecond: 50, burst: 10 } }],
    [['--no-rate-limit'], { rateLimit: false }],
    [['--daily-quota', '100'], { dailyQuota: 100 }],
    [['--no-daily-quota'], { dailyQuota: false }],
    [['--no-retry-after'], { retryAfter: false }],
    [['--latency', '20', '--jitter', '5'], { latency: { fixedMs: 20, jitterMs: 5 } }],
    [
      [
        '--seed',
        '7',
        '--fault-server-error',
        '0.1',
        '--fault-reset-before',
        '0.05',
        '--fault-reset-after',
        '0.02',
      ],
      { faults: { seed: 7, serverError: 0.1, resetBefore: 0.05, resetAfter: 0.02 } },
    ],
    [
      ['--fault-hang', '0.01', '--fault-trickle', '0.2', '--trickle-delay', '5', '--trickle-bytes', '4'],
      { faults: { hang: 0.01, trickle: 0.2, trickleChunkDelayMs: 5, trickleChunkBytes: 4 } },
    ],
    [['--fault-methods', 'post,PUT'], { faults: { methods: ['POST', 'PUT'] } }],
    [
      ['--custom-attribute', 'plan:STRING', '--custom-attribute', 'account.tier:number:DISABLED'],
      {
        customAttributes: {
          user: [{ apiName: 'plan', type: 'STRING' }],
          account: [{ apiName: 'tier', type: 'NUMBER', state: 'DISABLED' }],
        },
      },
    ],
    [['--accept-string-types'], { acceptStringTypes: true }],
  ];
  for (const [argv, expected] of table) {
    it(`parses ${argv.join(' ') || '(nothing)'}`, () => {
      assert.deepEqual(parseEmulatorArgs(argv), expected);
    });
  }

  const bad = [
    ['--port', 'x'],
    ['--fault-hang', '1.5'],
    ['--custom-attribute', 'plan'],
    ['--custom-attribute', 'plan:TEXT'],
    ['--fault-methods', 'PATCH'],
    ['--bogus'],
    ['positional'],
  ];
  for (const argv of bad) {
    it(`refuses ${argv.join(' ')}`, () => {
      assert.throws(() => parseEmulatorArgs(argv), { code: 'EMULATOR_INVALID_ARGUMENT' });
    });
  }

  it('runs in-process: prints the URL, serves, stops', async () => {
    let out = '';
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const io = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (out += t) },
      stop: stopped,
    };
    const running = runEmulatorCli(['--api-key', 'k-1', '--no-rate-limit'], io);
    while (!out.includes('\n')) await new Promise((resolve) => setImmediate(resolve));
    const match = /^PX emulator listening on (http:\/\/127\.0\.0\.1:\d+\/v1) \(API key: k-1\)\n$/.exec(out);
    assert.ok(match, out);
    const reply = await fetch(`${match[1]}/users`, { headers: { 'x-aptrinsic-api-key': 'k-1' } });
    assert.equal(reply.status, 200);
    stop();
    assert.equal(await running, 0);
    assert.match(out, /stopped/);
  });

  it('--help prints the flags; a bad flag or host exits 2', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) } };
    assert.equal(await runEmulatorCli(['--help'], io), 0);
    assert.equal(out, EMULATOR_HELP);
    assert.equal(await runEmulatorCli(['--host', '0.0.0.0'], io), 2);
    assert.match(out, /loopback/);
  });

  // A stop that waited for the connections would never end (the hung request is never
  // answered, and the server has no request timeout): the test's timeout turns that into a
  // failure. That close() itself waits for nothing is counted in start-emulator.test.ts.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`the bin prints its URL, serves, and on ${signal} stops cleanly (exit 0) despite open connections`, {
      timeout: 60_000,
    }, async () => {
      const child = spawn(
        process.execPath,
        [BIN, '--port', '0', '--fault-hang', '1', '--fault-methods', 'POST'],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (t: string) => (out += t));
      const exited = once(child, 'exit');
      while (!out.includes('\n')) await once(child.stdout, 'data');
      const url =
        /^PX emulator listening on (http:\/\/127\.0\.0\.1:\d+\/v1) \(API key: emulator-key\)\n$/.exec(
          out,
        )?.[1];
      assert.ok(url, out);
      const headers = { 'x-aptrinsic-api-key': 'emulator-key', 'content-type': 'application/json' };
      assert.equal(
        (await fetch(`${url}/users`, { headers })).status,
        200,
        'a keep-alive connection stays open',
      );
      const body = JSON.stringify({ identifyId: 'h', propertyKeys: ['AP-1'] });
      const hung = fetch(`${url}/users`, { method: 'POST', headers, body }).catch((error: unknown) => error);
      for (;;) {
        const stats = await (await fetch(`${url.replace(/\/v1$/, '')}/__emulator/stats`)).json();
        if ((stats as { faults: { hang: number } }).faults.hang === 1) break;
      }
      child.kill(signal);
      const [code, killedBy] = await exited;
      assert.deepEqual([code, killedBy], [0, null]);
      assert.match(out, /PX emulator stopped\n$/);
      assert.ok((await hung) instanceof Error, 'the hung request is cut');
    });
  }
});
