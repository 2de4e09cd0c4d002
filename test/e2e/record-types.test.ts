import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { EXAMPLES, runInProcess, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { dump, emulator, seed } from '../helpers/emulator.js';
import { emulatorSuite } from '../helpers/suite.js';

const EVENTS = join(EXAMPLES, 'events.csv');
const PREFERENCES = join(EXAMPLES, 'preferences.csv');

describe('CUSTOM_EVENT and USER_PREFERENCES, end to end', () => {
  let px: EmulatorHandle;
  let dir: string;
  emulatorSuite({ customAttributes: EXAMPLE_ATTRIBUTES }, (suite) => ({ px, dir } = suite));

  it('CUSTOM_EVENT: one POST per row, dates converted, userType and propertyKey added (classic form)', async () => {
    px.reset();
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const run = await runInProcess([config, 'CUSTOM_EVENT', EVENTS], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /DONE: 0 updated, 30 inserted, 0 skipped, 0 errors/);
    const events = await dump(px, 'events');
    assert.equal(events.length, 30);
    const first = events.find((event) => event.identifyId === 'user-0001');
    assert.deepEqual(
      { ...first, date: undefined },
      {
        ...first,
        eventName: 'export_report',
        userType: 'USER',
        propertyKey: 'AP-DEMO00000000-2',
        accountId: 'ACC-002',
        url: 'https://app.example.com/reports?id=1',
        date: undefined,
      },
    );
    // 2025-03-02T11:15:00 in America/New_York (EST, UTC-5).
    assert.equal(first?.date, Date.UTC(2025, 2, 2, 16, 15));
    assert.equal((first?.attributes as Record<string, unknown> | undefined)?.plan, 'pro');
    assert.equal(events.find((event) => event.identifyId === 'user-0002')?.date, 1740000120000);
  });

  it('CUSTOM_EVENT and USER_PREFERENCES refuse --insert-missing as a usage error', async () => {
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    for (const [type, file] of [
      ['CUSTOM_EVENT', EVENTS],
      ['USER_PREFERENCES', PREFERENCES],
    ] as const) {
      for (const flag of ['--insert-missing', '--insertMissing']) {
        const run = await runInProcess([flag, config, type, file], { cwd: dir });
        assert.equal(run.code, 2, `${type} ${flag}`);
        assert.match(run.stderr, new RegExp(`--insert-missing does not apply to ${type}`));
      }
    }
  });

  it('CUSTOM_EVENT under 429 storms: retried (PX did not record them), every event exactly once', async () => {
    const limited = await emulator({
      customAttributes: EXAMPLE_ATTRIBUTES,
      // A seeded throttle (429 "Rate limit exceeded" at random, using no budget), not a rate
      // limit: a busy machine sent slower than a 20/s limit and met no 429.
      faults: { seed: 11, throttle: 0.15, throttleRetryAfterSec: 0 },
    });
    try {
      const config = await writeConfig(dir, exampleConfig(limited.baseUrl, { rate: 200 }), 'storm.json');
      const run = await runInProcess(['-t', 'CUSTOM_EVENT', '-c', config, EVENTS], { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(limited.stats().rateLimited > 0, 'the emulator answered 429');
      const events = await dump(limited, 'events');
      assert.equal(events.length, 30);
      assert.equal(new Set(events.map((event) => event.url)).size, 30, 'no event recorded twice');
    } finally {
      await limited.close();
    }
  });

  it('CUSTOM_EVENT with lost answers: never retried into a duplicate, rejected as PX_EVENT_MAYBE_RECORDED', async () => {
    const faulty = await emulator({
      customAttributes: EXAMPLE_ATTRIBUTES,
      faults: { seed: 3, resetAfter: 0.3, methods: ['POST'] },
    });
    try {
      const config = await writeConfig(dir, exampleConfig(faulty.baseUrl), 'lost.json');
      const errors = join(dir, 'events_rejects.csv');
      const run = await runInProcess(['-t', 'CUSTOM_EVENT', '-c', config, '--errors', errors, EVENTS], {
        cwd: dir,
      });
      assert.equal(run.code, 3, run.stderr);
      const lost = faulty.stats().faults.resetAfter;
      assert.ok(lost > 0);
      const events = await dump(faulty, 'events');
      assert.equal(
        events.length,
        30,
        'each event recorded once: the lost answers were recorded, not retried',
      );
      assert.equal(new Set(events.map((event) => event.url)).size, 30);
      const rejects = (await readFile(errors, 'utf8')).split('\n').slice(1).filter(Boolean);
      assert.equal(rejects.length, lost);
      for (const line of rejects) assert.match(line, /send,PX_EVENT_MAYBE_RECORDED,/);
      assert.match(
        run.stdout,
        new RegExp(`DONE: 0 updated, ${30 - lost} inserted, 0 skipped, ${lost} errors`),
      );
    } finally {
      await faulty.close();
    }
  });

  it('USER_PREFERENCES: PUT per user, unknown users skipped, booleans sent as booleans, no propertyKeys', async () => {
    px.reset();
    await seed(px, {
      users: Array.from({ length: 20 }, (_, i) => ({
        identifyId: `user-${String(i + 1).padStart(4, '0')}`,
        propertyKeys: ['AP-DEMO00000000-2'],
      })),
    });
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const run = await runInProcess(['--type', 'USER_PREFERENCES', '--config', config, PREFERENCES], {
      cwd: dir,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /DONE: 20 updated, 0 inserted, 5 skipped, 0 errors/);
    const preferences = await dump(px, 'preferences');
    assert.equal(preferences.length, 20);
    const third =
      preferences.find((p) => p.identifyId === 'user-0003') ??
      preferences.find((p) => JSON.stringify(p).includes('user-0003'));
    assert.ok(third, JSON.stringify(preferences[0]));
    assert.equal(third.trackUsage, true);
    assert.equal(third.productUpdates, true);
    assert.equal(third.guidedTours, false);
    assert.equal('propertyKeys' in third, false);
  });

  it('dry run prints event bodies as JSON lines and sends nothing', async () => {
    px.reset();
    const config = await writeConfig(dir, exampleConfig(px.baseUrl));
    const run = await runInProcess(['-d', '-t', 'CUSTOM_EVENT', '-c', config, EVENTS], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const bodies = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(bodies.length, 30);
    assert.equal(bodies[0].userType, 'USER');
    assert.equal(px.stats().requests, 0);
  });
});
