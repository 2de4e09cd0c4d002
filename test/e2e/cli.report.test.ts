import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { emulator, seed } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

/** The --report file, field by field: what the issue promises users can script against. */
describe('pxstream --report', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('counts rows read, updated, inserted, skipped, rejected by stage and code, requests, duration, rows/s', async () => {
    px.reset();
    await seed(px, { users: [{ identifyId: 'user-9001', propertyKeys: ['AP-DEMO00000000-2'] }] });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const input = join(EXAMPLES, 'users-with-errors.csv');
    const report = join(dir, 'report.json');
    const run = await runInProcess(['-t', 'USER', '-c', config, '--report', report, input], { cwd: dir });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, /^DONE: 1 updated, 0 inserted, 1 skipped, 6 errors$/m);
    const json = JSON.parse(await readFile(report, 'utf8'));
    const {
      concurrency,
      durationMs,
      rowsPerSecond,
      startedAt,
      finishedAt,
      peakRssBytes,
      skippedByReason,
      roundTripMs,
      ...rest
    } = json;
    assert.deepEqual(rest, {
      // The four counts at the top level too: load() resolves to this same object.
      updated: 1,
      inserted: 0,
      skipped: 1,
      rejected: 6,
      tool: 'pxstream',
      type: 'USER',
      input,
      mode: 'update',
      dryRun: false,
      rows: { read: 8, updated: 1, inserted: 0, skipped: 1, rejected: 6, dryRun: 0, notSent: 0 },
      rejectedByStage: { parse: 1, map: 2, validate: 3, send: 0 },
      rejectedByCode: {
        CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 1,
        MAP_INVALID_DATE: 1,
        MAP_NOT_INTEGER: 1,
        VALIDATE_INVALID_EMAIL: 1,
        VALIDATE_MISSING_KEY: 1,
        VALIDATE_OUT_OF_RANGE: 1,
      },
      // One PUT per valid row: user-9001 updated, user-9008 not in PX.
      requests: 2,
      retries: 0,
      http429: 0,
      rejectsFile: join(dir, 'users-with-errors_rejects.csv'),
      exitCode: 3,
      error: null,
      interrupted: false,
      aborted: false,
      complete: true,
      checkpoint: null,
      resumedAtRow: null,
      target: { baseUrl: px.baseUrl, productKeys: ['AP-DEMO00000000-2'] },
      warnings: [],
      // No id on two rows; no ledger (a plain load of records, none kept for this target yet).
      repeatedIds: 0,
      ledger: null,
      mirror: null,
      plan: null,
      planRequests: null,
      // No wait for PX; the requests sent to this PX today, counted for the run (a PX on
      // loopback), the pre-flight's included; no daily budget.
      waits: 0,
      waitedMs: 0,
      requestsToday: 3,
      dailyBudget: null,
    });
    assert.equal(
      Object.values(skippedByReason as Record<string, number>).reduce((a, b) => a + b, 0),
      1,
    );
    assert.equal(Date.parse(finishedAt) - Date.parse(startedAt), durationMs);
    assert.ok(durationMs > 0);
    assert.ok(Math.abs(rowsPerSecond - (8 / durationMs) * 1000) < 0.1, `${rowsPerSecond} rows/s`);
    assert.ok(peakRssBytes > 0);
    assert.ok(roundTripMs.p50 > 0 && roundTripMs.p50 <= roundTripMs.p90, JSON.stringify(roundTripMs));
    // The most requests in flight allowed: at the default 150/s, the floor's (a round trip sized
    // as 200 ms, × 1.25 = 38), unless a busy machine made the loopback's round trip longer.
    assert.ok(
      concurrency === 38 || (concurrency > 38 && roundTripMs.p90 > 200),
      `${concurrency}, ${JSON.stringify(roundTripMs)}`,
    );
  });

  it('counts the retries and the 429s PX answered', async () => {
    const limited = await emulator({
      customAttributes: EXAMPLE_ATTRIBUTES,
      // A throttle (429 "Rate limit exceeded" at random, seeded), not a rate limit: a limit
      // below the load's rate gave no 429 when a busy machine sent slower than it (at 100/s,
      // and at 40/s with a burst of 5).
      faults: { seed: 7, throttle: 0.25, throttleRetryAfterSec: 0 },
    });
    try {
      const config = await writeConfig(dir, exampleConfig(limited.baseUrl, { rate: 150 }), 'limited.json');
      const report = join(dir, 'limited.json.report');
      const run = await runInProcess(
        ['-i', '-t', 'ACCOUNT', '-c', config, '--report', report, join(EXAMPLES, 'accounts.csv')],
        { cwd: dir },
      );
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(await readFile(report, 'utf8'));
      const answered429 = limited.stats().rateLimited;
      assert.ok(answered429 > 0, 'the emulator answered 429');
      // The metadata read is not the sink's: its 429s are not in the load's figures.
      assert.ok(json.http429 > 0 && json.http429 <= answered429, `${json.http429} of ${answered429}`);
      assert.ok(json.retries >= json.http429, `${json.retries} retries`);
      assert.equal(json.rows.inserted, 20);
      // One request per new account once the write order has learned (8 probes PUT then POST,
      // 12 POSTs), plus each one PX refused.
      assert.equal(json.requests, 8 * 2 + 12 + json.http429, 'one write per account, plus the refused ones');
    } finally {
      await limited.close();
    }
  });
});
