import assert from 'node:assert/strict';
import { cp, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EmulatorHandle } from '@pxstream/emulator';
import { targetId } from '@pxstream/ledger';
import { type LoadOptions, type LoadReport, load } from '@pxstream/load';
import { ROOT, runInProcess, tempDir, writeConfig } from '../helpers/cli.js';
import { EXAMPLE_ATTRIBUTES, exampleConfig } from '../helpers/configs.js';
import { dump, emulator } from '../helpers/emulator.js';

/** Issue 28: the events ledger gives each event an identity and never drops a real event. */

const HEADER = 'user_id,event,occurred_at,account,url,plan,seats';
const DAY_MS = 86_400_000;

/** A dated event row; the same arguments give the same row, byte for byte. */
const dated = (i: number, user = `u-${i % 7}`) =>
  `${user},clicked,${Date.UTC(2026, 10, 1) + i * 1000},ACC-1,https://app/${i},pro,${i % 5}`;
/** An undated row (PX stamps it on arrival): the date cell is empty. */
const undated = (user: string, event = 'login') => `${user},${event},,ACC-1,https://app/home,pro,1`;
const csv = (rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

interface Fixture {
  px: EmulatorHandle;
  dir: string;
  ledger: string;
  cleanup: () => Promise<void>;
}

async function fixture(): Promise<Fixture> {
  const px = await emulator({ customAttributes: EXAMPLE_ATTRIBUTES });
  const { dir, cleanup } = await tempDir();
  return {
    px,
    dir,
    ledger: join(dir, 'ledger'),
    cleanup: async () => {
      await px.close();
      await cleanup();
    },
  };
}

/** A load of custom events through the library, into the fixture's emulator and ledger. */
function loadEvents(f: Fixture, input: string, extra: Partial<LoadOptions> = {}): Promise<LoadReport> {
  return load({
    config: exampleConfig(f.px.baseUrl, { rate: 1000 }),
    type: 'CUSTOM_EVENT',
    input,
    ledger: f.ledger,
    cwd: f.dir,
    env: {},
    ...extra,
  });
}

async function eventsInPx(px: EmulatorHandle): Promise<string[]> {
  return (await dump(px, 'events')).map((e) => `${e.identifyId}|${e.eventName}|${e.url}|${e.date ?? ''}`);
}

const counts = (list: string[]) => {
  const map = new Map<string, number>();
  for (const item of list) map.set(item, (map.get(item) ?? 0) + 1);
  return map;
};

describe('event identity: undated events', () => {
  it("Monday's and Tuesday's files, byte for byte the same: both days land; a rerun of either sends nothing", async () => {
    const f = await fixture();
    try {
      const rows = [undated('u1'), undated('u1'), undated('u2', 'logout')];
      const monday = join(f.dir, 'events-monday.csv');
      const tuesday = join(f.dir, 'events-tuesday.csv');
      await writeFile(monday, csv(rows));
      await writeFile(tuesday, csv(rows));
      const first = await loadEvents(f, monday);
      assert.deepEqual([first.inserted, first.skipped, first.rejected], [3, 0, 0]);
      const second = await loadEvents(f, tuesday);
      assert.deepEqual([second.inserted, second.skipped, second.rejected], [3, 0, 0]);
      assert.equal((await eventsInPx(f.px)).length, 6, 'two logins of u1 each day, and a logout');
      for (const file of [monday, tuesday]) {
        const again = await loadEvents(f, file);
        assert.deepEqual([again.inserted, again.skipped], [0, 3]);
        assert.deepEqual(again.skippedByReason, { 'already recorded by PX (an earlier run)': 3 });
        assert.equal(again.ledger?.alreadySent, 3);
      }
      assert.equal((await eventsInPx(f.px)).length, 6);
    } finally {
      await f.cleanup();
    }
  });

  it('the same file name rewritten with the same bytes the next day is a new input', async () => {
    const f = await fixture();
    try {
      const file = join(f.dir, 'events.csv');
      await writeFile(file, csv([undated('u1')]));
      await utimes(file, new Date('2026-12-01T06:00:00Z'), new Date('2026-12-01T06:00:00Z'));
      assert.equal((await loadEvents(f, file)).inserted, 1);
      await writeFile(file, csv([undated('u1')]));
      await utimes(file, new Date('2026-12-02T06:00:00Z'), new Date('2026-12-02T06:00:00Z'));
      assert.equal((await loadEvents(f, file)).inserted, 1);
      assert.equal((await eventsInPx(f.px)).length, 2);
    } finally {
      await f.cleanup();
    }
  });
});

describe('event identity: identical dated rows', () => {
  it('two identical rows in one file are two events; a rerun sends neither', async () => {
    const f = await fixture();
    try {
      const file = join(f.dir, 'clicks.csv');
      await writeFile(file, csv([dated(1), dated(2), dated(2), dated(3), dated(2)]));
      const first = await loadEvents(f, file);
      assert.deepEqual([first.inserted, first.skipped, first.rejected], [5, 0, 0]);
      const recorded = counts(await eventsInPx(f.px));
      assert.deepEqual(
        [...recorded.values()].sort(),
        [1, 1, 3],
        'the row written three times is three events',
      );
      const again = await loadEvents(f, file);
      assert.deepEqual([again.inserted, again.skipped], [0, 5]);
      assert.equal((await eventsInPx(f.px)).length, 5);
    } finally {
      await f.cleanup();
    }
  });

  it('an overlapping export (the last rows exported again) sends only its new rows', async () => {
    const f = await fixture();
    try {
      // Yesterday: rows 0-99, row 60 twice. Today: rows 50-149, row 60 twice again, row 120 twice.
      const yesterday = Array.from({ length: 100 }, (_, i) => dated(i));
      yesterday.splice(61, 0, dated(60));
      const today = Array.from({ length: 100 }, (_, i) => dated(50 + i));
      today.splice(11, 0, dated(60));
      today.splice(72, 0, dated(120));
      const a = join(f.dir, 'export-1.csv');
      const b = join(f.dir, 'export-2.csv');
      await writeFile(a, csv(yesterday));
      await writeFile(b, csv(today));
      assert.equal((await loadEvents(f, a)).inserted, 101);
      const second = await loadEvents(f, b);
      assert.deepEqual([second.inserted, second.skipped, second.rejected], [51, 51, 0]);
      const recorded = counts(await eventsInPx(f.px));
      assert.equal(recorded.size, 150);
      const twice = [...recorded].filter(([, n]) => n === 2).map(([event]) => event.split('|')[2]);
      assert.deepEqual(twice.sort(), ['https://app/120', 'https://app/60']);
    } finally {
      await f.cleanup();
    }
  });
});

describe('event identity: rerun and resume', () => {
  it('stopped mid-file, resumed, then run again: every row once, identical pairs across the stop included', async () => {
    const f = await fixture();
    try {
      // 1,500 rows: the same 400 dated rows three times over, then 300 undated rows of 5 users.
      // Wherever the stop falls, rows after it repeat rows before it: their occurrence numbers
      // must count those. Big enough that a stop leaves rows unread (rows read are finished).
      const block = Array.from({ length: 400 }, (_, i) => dated(i));
      const rows = [...block, ...block, ...block];
      for (let i = 0; i < 300; i++) rows.push(undated(`u-${i % 5}`));
      const file = join(f.dir, 'mixed.csv');
      await writeFile(file, csv(rows));
      const checkpoint = join(f.dir, 'mixed.checkpoint.json');
      const stop = new AbortController();
      const poll = setInterval(() => {
        if (f.px.stats().created.events >= 101) stop.abort();
      }, 1);
      const first = await loadEvents(f, file, {
        checkpoint,
        signal: stop.signal,
        config: exampleConfig(f.px.baseUrl, { rate: 300 }),
      }).finally(() => clearInterval(poll));
      assert.equal(first.interrupted, true);
      assert.ok(first.inserted < 1100, `stopped before the third block: ${first.inserted}`);
      const resumed = await loadEvents(f, file, { checkpoint, resume: true });
      assert.equal(resumed.complete, true);
      assert.equal(resumed.rejected, 0);
      assert.equal(resumed.inserted + resumed.skipped, 1500, 'the resumed report counts the whole file');
      const recorded = await eventsInPx(f.px);
      assert.equal(recorded.length, 1500, 'every row of the file is one event in PX');
      const datedCounts = counts(recorded.filter((e) => !e.includes('/home')));
      assert.equal(datedCounts.size, 400);
      for (const [event, n] of datedCounts) assert.equal(n, 3, `${event}: thrice in the file, thrice in PX`);
      const again = await loadEvents(f, file);
      assert.deepEqual([again.inserted, again.skipped, again.rejected], [0, 1500, 0]);
      assert.equal((await eventsInPx(f.px)).length, 1500);
    } finally {
      await f.cleanup();
    }
  });
});

describe('event identity: eventKey', () => {
  it('--event-key: one event per key across files and runs; the key column is not sent; a blank key is rejected', async () => {
    const f = await fixture();
    try {
      const header = 'event_id,user_id,event,occurred_at,account,url,plan,seats';
      const row = (key: string, i: number) =>
        `${key},u-${i},clicked,${Date.UTC(2026, 10, 1) + i},ACC-1,https://app/${i},pro,1`;
      const day1 = join(f.dir, 'keyed-1.csv');
      const day2 = join(f.dir, 'keyed-2.csv');
      // k1 twice with different content (a retried export): one event.
      await writeFile(
        day1,
        `${[header, row('k1', 1), row('k2', 2), row('k1', 3), row(' ', 4), row('k3', 5)].join('\n')}\n`,
      );
      await writeFile(day2, `${[header, row('k2', 6), row('k4', 7)].join('\n')}\n`);
      const config = await writeConfig(f.dir, exampleConfig(f.px.baseUrl, { rate: 1000 }));
      const args = (file: string) => [
        '-t',
        'CUSTOM_EVENT',
        '-c',
        config,
        '--ledger',
        f.ledger,
        '--event-key',
        'event_id',
        file,
      ];
      const first = await runInProcess(args(day1), { cwd: f.dir });
      assert.equal(first.code, 3, first.stderr);
      assert.equal(first.stdout, 'DONE: 0 updated, 3 inserted, 1 skipped, 1 errors\n');
      assert.match(first.stderr, /1 events already recorded \(key event_id\): not sent again/);
      assert.match(first.stderr, /MAP_EVENT_KEY_EMPTY/);
      const second = await runInProcess(args(day2), { cwd: f.dir });
      assert.equal(second.stdout, 'DONE: 0 updated, 1 inserted, 1 skipped, 0 errors\n', second.stderr);
      const events = await dump(f.px, 'events');
      assert.deepEqual(events.map((e) => e.identifyId).sort(), ['u-1', 'u-2', 'u-5', 'u-7']);
      assert.ok(
        events.every((e) => !JSON.stringify(e).includes('event_id') && !JSON.stringify(e).includes('"k1"')),
        'the key column is not mapped: not sent',
      );
      assert.doesNotMatch(first.stderr + second.stderr, /recorded by PX \(an earlier run\)/);
      // The config's eventKey does the same; a key column missing from the header stops the load.
      const fromConfig = await writeConfig(
        f.dir,
        exampleConfig(f.px.baseUrl, { rate: 1000, eventKey: 'event_id' }),
        'keyed.json',
      );
      const third = await runInProcess(['-t', 'CUSTOM_EVENT', '-c', fromConfig, '--ledger', f.ledger, day2], {
        cwd: f.dir,
      });
      assert.equal(third.stdout, 'DONE: 0 updated, 0 inserted, 2 skipped, 0 errors\n', third.stderr);
      const plain = join(f.dir, 'plain.csv');
      await writeFile(plain, csv([dated(1)]));
      const missing = await runInProcess(
        ['-t', 'CUSTOM_EVENT', '-c', fromConfig, '--ledger', f.ledger, plain],
        { cwd: f.dir },
      );
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /the event key column "event_id" is not in the header/);
      const users = await runInProcess(['-t', 'USER', '-c', config, '--event-key', 'event_id', plain], {
        cwd: f.dir,
      });
      assert.equal(users.code, 2);
      assert.match(users.stderr, /--event-key and --event-retention-days apply to CUSTOM_EVENT/);
    } finally {
      await f.cleanup();
    }
  });
});

describe('event identity: ledgers of the version before', () => {
  it('a ledger written at 259906f is still honoured: its events are not sent again, its pending one stays in doubt', async () => {
    const f = await fixture();
    try {
      const source = join(ROOT, 'test/fixtures/legacy-events-ledger');
      await cp(join(source, 'ledger'), f.ledger, { recursive: true });
      // The fixture was written for another emulator: point its target at this one.
      const meta = JSON.parse(await readFile(join(f.ledger, 'ledger.json'), 'utf8'));
      meta.target.baseUrl = f.px.baseUrl;
      meta.targetId = targetId(meta.target);
      await writeFile(join(f.ledger, 'ledger.json'), JSON.stringify(meta));
      const day1 = await loadEvents(f, join(source, 'day-1.csv'));
      // u-1..u-4 were recorded; u-3's identical second row was dropped then: it is sent now.
      assert.deepEqual([day1.inserted, day1.skipped, day1.rejected], [1, 4, 0]);
      assert.deepEqual(await eventsInPx(f.px), [
        `u-3|exported|https://app/y|${Date.parse('2026-11-30T14:00:02Z')}`,
      ]);
      const late = await loadEvents(f, join(source, 'day-1-late.csv'), { rejects: join(f.dir, 'late.csv') });
      assert.deepEqual([late.inserted, late.skipped, late.rejected], [0, 1, 1]);
      assert.deepEqual(late.rejectedByCode, { PX_EVENT_MAYBE_RECORDED: 1 });
    } finally {
      await f.cleanup();
    }
  });
});

describe('event identity: retention window', () => {
  it('an event is remembered for 30 days after the run that recorded it, then forgotten (fake clock)', async () => {
    const f = await fixture();
    try {
      const file = join(f.dir, 'clicks.csv');
      await writeFile(file, csv([dated(1), dated(2), dated(2)]));
      const day1 = Date.UTC(2026, 11, 1, 12);
      const at = (days: number) => () => day1 + days * DAY_MS;
      assert.equal((await loadEvents(f, file, { clock: at(0) })).inserted, 3);
      const day30 = await loadEvents(f, file, { clock: at(29) });
      assert.deepEqual([day30.inserted, day30.skipped, day30.ledger?.expired], [0, 3, 0]);
      const day31 = await loadEvents(f, file, { clock: at(30) });
      assert.deepEqual([day31.inserted, day31.skipped, day31.ledger?.expired], [3, 0, 3]);
      assert.equal((await eventsInPx(f.px)).length, 6, 'past the window, the file is sent again');
      // A shorter window from the config: the day-31 events are forgotten 7 days later.
      const config = exampleConfig(f.px.baseUrl, { rate: 1000, eventRetentionDays: 7 });
      const week = await loadEvents(f, file, { clock: at(36), config });
      assert.deepEqual([week.inserted, week.ledger?.expired], [0, 0]);
      const later = await loadEvents(f, file, { clock: at(37), config });
      assert.deepEqual([later.inserted, later.ledger?.expired], [3, 3]);
    } finally {
      await f.cleanup();
    }
  });
});
