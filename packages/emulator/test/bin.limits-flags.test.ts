/** The flags of the limiter shapes, throttles, the other client and the gateway answers (issue 14). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMULATOR_HELP, parseEmulatorArgs, runEmulatorCli } from '@pxstream/emulator';

describe('pxstream-emulator limit and gateway flags', () => {
  const table: Array<[string[], unknown]> = [
    [['--limiter', 'sliding'], { rateLimit: { perSecond: 200, shape: 'sliding' } }],
    [['--limiter', 'fixed', '--rate', '50'], { rateLimit: { perSecond: 50, shape: 'fixed' } }],
    [['--limiter', 'bucket', '--rate', '50'], { rateLimit: { perSecond: 50, burst: 50, shape: 'bucket' } }],
    [['--limiter', 'bucket', '--burst', '9'], { rateLimit: { perSecond: 200, burst: 9, shape: 'bucket' } }],
    [['--limiter', 'sliding', '--no-rate-limit'], { rateLimit: false }],
    [['--throttle', '0.05'], { faults: { throttle: 0.05 } }],
    [
      ['--throttle', '0.1', '--throttle-retry-after', '3', '--seed', '4'],
      { faults: { throttle: 0.1, throttleRetryAfterSec: 3, seed: 4 } },
    ],
    [
      ['--fault-gateway-403', '0.01', '--fault-gateway-504', '0.02'],
      { faults: { gateway403: 0.01, gateway504: 0.02 } },
    ],
    [['--other-client', '50'], { otherClient: { perSecond: 50 } }],
    [['--other-client', '0.5'], { otherClient: { perSecond: 0.5 } }],
    [['--no-route-html'], { noRouteHtml: true }],
  ];
  for (const [argv, expected] of table) {
    it(`parses ${argv.join(' ')}`, () => {
      assert.deepEqual(parseEmulatorArgs(argv), expected);
    });
  }

  const bad = [
    ['--limiter', 'cone'],
    ['--limiter', 'sliding', '--burst', '5'],
    ['--limiter', 'fixed', '--rate', '2.5'],
    ['--throttle', '1.5'],
    ['--throttle', 'x'],
    ['--throttle-retry-after', '-1'],
    ['--throttle-retry-after', '1.5'],
    ['--fault-gateway-403', '2'],
    ['--other-client', '0'],
    ['--other-client', 'many'],
  ];
  for (const argv of bad) {
    it(`refuses ${argv.join(' ')}`, () => {
      assert.throws(() => parseEmulatorArgs(argv), { code: 'EMULATOR_INVALID_ARGUMENT' });
    });
  }

  it('fault probabilities adding up past 1 (a throttle included) exit 2', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) } };
    assert.equal(await runEmulatorCli(['--throttle', '0.7', '--fault-gateway-504', '0.4'], io), 2);
    assert.match(out, /add up to at most 1/);
  });

  it('--help lists every new flag', () => {
    for (const flag of [
      '--limiter',
      '--throttle ',
      '--throttle-retry-after',
      '--other-client',
      '--fault-gateway-403',
      '--fault-gateway-504',
      '--no-route-html',
      '--config',
    ]) {
      assert.ok(EMULATOR_HELP.includes(flag), flag);
    }
  });
});
