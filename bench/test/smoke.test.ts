/**
 * CI's smoke run of every benchmark case at a tiny size: each runs in its own process and its
 * accounting adds up. No speed is asserted here (shared, noisy machines): `pnpm bench` measures.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCase } from '../src/util.js';

// Two cases at once: each runs in processes of its own (its figures are its own), and most of
// its time waits on a rate-limited emulator, so the run takes half the time for the same CPU.
describe('benchmark smoke run', { concurrency: 2 }, () => {
  it('case 1, local speed: every row of both formats counted by pxstream and by the raw parsers', async () => {
    const r = await runCase<{ accounted: boolean; csv: { ratio: number }; jsonl: { ratio: number } }>(
      'local-speed.ts',
      ['--rows', '2000', '--rounds', '1'],
    );
    assert.equal(r.accounted, true);
    assert.ok(r.csv.ratio > 0 && r.jsonl.ratio > 0);
  });

  it('case 2, flat memory: the dry runs account for every row and report a peak RSS', async () => {
    const r = await runCase<{
      accounted: boolean;
      small: { peakRssMb: number };
      large: { peakRssMb: number };
    }>('memory.ts', ['--rows', '1000', '--factor', '3']);
    assert.equal(r.accounted, true);
    assert.ok(r.small.peakRssMb > 0 && r.large.peakRssMb > 0);
  });

  it('case 2b, flat memory under a real load: every row skipped by PX, a peak RSS for each size', async () => {
    const r = await runCase<{
      accounted: boolean;
      small: { peakRssMb: number };
      large: { peakRssMb: number };
    }>('sink-memory.ts', ['--rows', '300', '--factor', '2']);
    assert.equal(r.accounted, true);
    assert.ok(r.small.peakRssMb > 0 && r.large.peakRssMb > 0);
  });

  for (const [name, emulator] of [
    // Cases 3 and 4 run the same script (load.ts) against an emulator with a limit and with
    // none: this run of case 6, with a limit and faults, covers the script.
    ['case 6, faults under load', '--rate 400 --fault-server-error 0.05 --fault-reset-after 0.05 --seed 3'],
  ] as const) {
    it(`${name}: every row landed, none twice`, async () => {
      const r = await runCase<{
        accounted: boolean;
        everyRowLanded: boolean;
        duplicates: number;
        requests: number;
      }>('load.ts', ['--rows', '300', '--rate', '400', '--emulator', emulator]);
      assert.equal(r.accounted, true);
      assert.equal(r.everyRowLanded, true);
      assert.equal(r.duplicates, 0);
      assert.ok(r.requests >= 300);
    });
  }

  // Case 7's runs, one on each PX server: the emulator, and the peer written
  // from px-api.md alone (the bench runs every kind on both).
  for (const [server, name, args] of [
    [
      'peer',
      'another client on a sliding window',
      ['--shape', 'sliding', '--other', '100', '--rows', '200', '--rate', '200'],
    ],
    ['emulator', '10% faults with throttles', ['--faults', '--rows', '150', '--rate', '400']],
  ] as const) {
    it(`case 7, ${server}, ${name}: every user holds its row, none created twice`, async () => {
      const r = await runCase<{
        exact: boolean;
        accounted: boolean;
        duplicateCreates: number;
        wrong: number;
        requests: number;
      }>('limiter.ts', ['--server', server, ...args]);
      assert.equal(r.wrong, 0);
      assert.equal(r.exact, true);
      assert.equal(r.accounted, true);
      assert.equal(r.duplicateCreates, 0);
      assert.ok(r.requests >= 150);
    });
  }

  it('case 8, CLI dry run: every body printed once, into /dev/null and a pipe, csv-parse in the same rounds', async () => {
    const r = await runCase<{ accounted: boolean; ratioDevNull: number; ratioPipe: number }>(
      'cli-dry-run.ts',
      ['--rows', '2000', '--rounds', '1'],
    );
    assert.equal(r.accounted, true);
    assert.ok(r.ratioDevNull > 0 && r.ratioPipe > 0);
  });

  it('case 9, incremental sync: day 2 sends only the changed rows; the plan counts them', async () => {
    const r = await runCase<{
      accounted: boolean;
      changedRows: number;
      load: { requests: number };
      plan: { counts: { changed: number; unchanged: number } };
    }>('ledger-sync.ts', ['--rows', '3000', '--rounds', '1']);
    assert.equal(r.accounted, true);
    assert.equal(r.plan.counts.changed, r.changedRows);
    assert.equal(r.plan.counts.unchanged, 3000 - r.changedRows);
    assert.ok(r.load.requests <= r.changedRows + 1, `${r.load.requests} requests`);
  });

  it('case 10, multi-day: through spent days and an outage, every row exact in one run, one probe at a time', async () => {
    const r = await runCase<{
      exact: boolean;
      accounted: boolean;
      oneRun: boolean;
      rejected: number;
      daysUsed: number[];
      whileDown: { total: number; mostInASecondAfter: number };
    }>('multi-day.ts', ['--rows', '200', '--quota', '100', '--day-length', '2', '--outage-for', '2']);
    assert.equal(r.exact, true);
    assert.equal(r.accounted, true);
    assert.equal(r.oneRun, true);
    assert.equal(r.rejected, 0);
    assert.ok(r.daysUsed.length >= 2, `days ${r.daysUsed.join(', ')}`);
    assert.ok(r.whileDown.total > 0 && r.whileDown.mostInASecondAfter <= 1, JSON.stringify(r.whileDown));
  });

  it("case 12, events ledger: today's load forgets day 1's identities, sends its events once", async () => {
    const r = await runCase<{
      accounted: boolean;
      perDay: number;
      load: { expired: number; inserted: number };
      rerun: { inserted: number };
    }>('event-retention.ts', ['--days', '4', '--retention-days', '3', '--per-day', '300', '--events', '50']);
    assert.equal(r.accounted, true);
    assert.equal(r.load.expired, r.perDay);
    assert.deepEqual([r.load.inserted, r.rerun.inserted], [50, 0]);
  });

  it('case 5, peer: the sequential loader and pxstream load the same rows', async () => {
    const r = await runCase<{ accounted: boolean; speedUp: number }>('peer.ts', [
      '--rows',
      '40',
      '--emulator',
      '--rate 200 --latency 5',
    ]);
    assert.equal(r.accounted, true);
    assert.ok(r.speedUp > 0);
  });
});
