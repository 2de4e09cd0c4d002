/** The flags of quota days, permissions, outages, scrolls and deletes (issues 24, 26, 27). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMULATOR_HELP, parseEmulatorArgs, runEmulatorCli } from '@pxstream/emulator';
import { FLAGS } from '../src/args.js';

describe('pxstream-emulator quota-day, permission, outage, scroll and revive flags', () => {
  const table: Array<[string[], unknown]> = [
    [['--daily-quota-body', 'plain'], { dailyQuotaBody: 'plain' }],
    [['--daily-quota-body', 'quota'], { dailyQuotaBody: 'quota' }],
    [['--day-length', '60'], { dayLengthSec: 60 }],
    [['--day-length', '0.5'], { dayLengthSec: 0.5 }],
    [['--forbid', 'read'], { forbid: 'read' }],
    [['--forbid', 'write'], { forbid: 'write' }],
    [['--outage-after', '100', '--outage-for', '60'], { outage: { afterRequests: 100, forSec: 60 } }],
    [
      ['--outage-after', '0', '--outage-for', '1.5', '--outage-kind', 'reset'],
      { outage: { afterRequests: 0, forSec: 1.5, kind: 'reset' } },
    ],
    [['--outage-kind', '503'], { outage: { kind: '503' } }],
    [['--outage-for', '30'], { outage: { forSec: 30 } }],
    [['--scroll-ttl', '5'], { scrollTtlSec: 5 }],
    [['--revive-window', '0'], { reviveWindowSec: 0 }],
    [['--revive-window', '3600'], { reviveWindowSec: 3600 }],
  ];
  for (const [argv, expected] of table) {
    it(`parses ${argv.join(' ')}`, () => {
      assert.deepEqual(parseEmulatorArgs(argv), expected);
    });
  }

  const bad = [
    ['--daily-quota-body', 'loud'],
    ['--day-length', '0'],
    ['--day-length', 'day'],
    ['--forbid', 'both'],
    ['--outage-after', '-1'],
    ['--outage-after', '2.5'],
    ['--outage-for', '0'],
    ['--outage-kind', '500'],
    ['--scroll-ttl', '0'],
    ['--revive-window', '-1'],
  ];
  for (const argv of bad) {
    it(`refuses ${argv.join(' ')}`, () => {
      assert.throws(() => parseEmulatorArgs(argv), { code: 'EMULATOR_INVALID_ARGUMENT' });
    });
  }

  it('a bad flag exits 2 with the reason', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) } };
    assert.equal(await runEmulatorCli(['--outage-kind', 'down'], io), 2);
    assert.match(out, /--outage-kind: expected 503 or reset/);
  });

  it('--help lists every flag the command takes', () => {
    for (const flag of Object.keys(FLAGS)) {
      assert.match(EMULATOR_HELP, new RegExp(`--${flag}[ ,\\n]`), `--${flag}`);
    }
  });
});
