#!/usr/bin/env node
// Measures an events ledger at its steady size under the retention window: `days` daily runs
// (ending yesterday, UTC) of `per-day` fresh events each, then today's run in a child process
// of its own (so that its peak RSS is its own): open writable with today's clock (which expires
// the oldest day when it is `retention` days old), look up 100,000 identities, confirm 1,000
// new ones, close. Prints JSON: entries, bytes on disk (snapshot + journal) and per entry, and
// the child's times, peak RSS and expired count (which must be exactly one day's events), and
// its memory at each phase (`phases`: after the journal read, the snapshot read and journal
// merge, the expiry, the lookups, the confirms, the compaction's expiry and snapshot write, the
// close; the ledger's own phases come from its measurement hook, src/probe.ts), each with
// maxRSS so far and process.memoryUsage() (rss, heapUsed, external, arrayBuffers), in MiB.
//
// --last-close: how the build leaves the ledger for today's run.
//   compact (default): the last day's open compacts, so today's open reads everything from the
//     snapshot and an empty journal.
//   policy: each day's close decides as a real load's does (it compacts only when the journal
//     outgrew a quarter of the snapshot), so today's open finds in the journal what the last
//     days left there (at 30 x 1M: the last 3 days, 3M ops), as the daily load does.
//
// Identities are 40 hex digits, pseudo-random but computed from (day, index), so that the child
// can look up known ones (those of retained days must read `confirmed`, those of the expired
// day `undefined`) without the list ever being held in memory.
//
// Build first: npx tsc -b packages/ledger
// Usage: node packages/ledger/scripts/measure-event-retention.mjs [--days 30] [--per-day 1000000]
//        [--retention 30] [--last-close compact|policy]
//        [--dir DIR (must not hold a ledger yet; kept)]
//        [--build-dir DIR (the built ledger is kept there and reused by the next run with the
//        same --days, --per-day and --retention on the same UTC day, either --last-close;
//        today's run works on a copy)]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openLedger } from '../dist/index.js';
import { probe } from '../dist/probe.js';

const DAY_MS = 86_400_000;
const TARGET = {
  baseUrl: 'https://api.aptrinsic.com/v1',
  productKeys: ['AP-MEASURE-1'],
  type: 'CUSTOM_EVENT',
};
const LOOKUPS = 100_000;
const NEW_EVENTS = 1_000;
const YIELD_EVERY = 10_000; // confirms between event-loop turns, so that group commits get written

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function fmix32(h) {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The identity of event `i` of day number `d` (0 = the oldest day) among `perDay` a day: each of
 * its 5 words is a bijection of the event's global index, so no two events share a key.
 */
function identity(d, i, perDay) {
  const n = d * perDay + i;
  let text = '';
  for (let k = 0; k < 5; k++) {
    const word = fmix32((n ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0);
    text += HEX[word >>> 24] + HEX[(word >>> 16) & 255] + HEX[(word >>> 8) & 255] + HEX[word & 255];
  }
  return text;
}

function diskBytes(dir) {
  const bytes = (name) => (existsSync(join(dir, name)) ? statSync(join(dir, name)).size : 0);
  const snapshot = bytes('snapshot.bin');
  const journal = bytes('journal.bin');
  return { snapshot, journal, total: snapshot + journal };
}

const mib = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
const since = (start) => Math.round(performance.now() - start);

/** One daily run: a writable open on that day, `perDay` fresh confirms, close. */
async function buildDay(dir, spec, d) {
  const day = spec.today - spec.days + d;
  const ledger = await openLedger({
    dir,
    target: TARGET,
    now: day * DAY_MS + 12 * 3_600_000,
    retentionDays: spec.retention,
    durability: 'os', // the build is set-up, not what is measured
  });
  for (let i = 0; i < spec.perDay; i++) {
    ledger.confirmEvent(identity(d, i, spec.perDay));
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise(setImmediate);
  }
  await ledger.close();
}

/** The memory now, in MiB: the peak so far (maxRSS) and process.memoryUsage(). */
function memory() {
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return {
    maxRss: mib(process.resourceUsage().maxRSS * 1024),
    rss: mib(rss),
    heapUsed: mib(heapUsed),
    external: mib(external),
    arrayBuffers: mib(arrayBuffers),
  };
}

/** The child: today's run, alone in its process. */
async function todayRun(spec) {
  const start = performance.now();
  const phases = [{ phase: 'start', ms: 0, ...memory() }];
  const mark = (phase) => phases.push({ phase, ms: since(start), ...memory() });
  probe.phase = mark; // the ledger's phases (open, compaction)
  const ledger = await openLedger({
    dir: spec.dir,
    target: TARGET,
    now: spec.now,
    retentionDays: spec.retention,
  });
  const openMs = since(start);
  const afterOpen = ledger.counts();

  // Half the lookups from the days still retained (must be confirmed), half from the day that
  // expired today (must be absent), when there is one.
  const lookupStart = performance.now();
  let confirmed = 0;
  let absent = 0;
  let wrong = 0;
  const retainedFrom = spec.expiringDay + 1;
  for (let k = 0; k < LOOKUPS; k++) {
    const expired = spec.expiringDay >= 0 && (k % 2 === 1 || retainedFrom >= spec.days);
    const d = expired ? spec.expiringDay : retainedFrom + (k % (spec.days - retainedFrom));
    const state = ledger.eventState(identity(d, (k * 7_919) % spec.perDay, spec.perDay));
    if (state === 'confirmed') confirmed++;
    else if (state === undefined) absent++;
    if ((state === undefined) !== expired) wrong++;
  }
  const lookupMs = since(lookupStart);
  mark('lookups');

  const confirmStart = performance.now();
  for (let i = 0; i < NEW_EVENTS; i++) ledger.confirmEvent(identity(spec.days, i, spec.perDay));
  await ledger.flush();
  const confirmMs = since(confirmStart);
  mark('confirms flushed');

  const closeStart = performance.now();
  const counts = ledger.counts();
  await ledger.close();
  const closeMs = since(closeStart);
  mark('closed');
  return {
    openMs,
    lookupMs,
    confirmMs,
    closeMs,
    totalMs: since(start),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    expiredEvents: afterOpen.expiredEvents,
    entriesAfterOpen: afterOpen.confirmedEvents + afterOpen.pendingEvents,
    entriesAtClose: counts.confirmedEvents + counts.pendingEvents,
    lookups: { total: LOOKUPS, confirmed, absent, wrong },
    phases,
  };
}

function child(spec) {
  const run = spawnSync(
    process.execPath,
    [new URL(import.meta.url).pathname, '--child', JSON.stringify(spec)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = run.stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (run.status !== 0 || !line) throw new Error(`today's run failed (exit ${run.status})`);
  return JSON.parse(line.slice(7));
}

/** Builds the ledger in `dir` as the daily runs leave it; returns the build's time. */
async function build(dir, spec) {
  const buildStart = performance.now();
  for (let d = 0; d < spec.days; d++) {
    const dayStart = performance.now();
    await buildDay(dir, spec, d);
    process.stderr.write(`day ${d + 1}/${spec.days}: ${since(dayStart)} ms\n`);
  }
  return since(buildStart);
}

/**
 * With `lastClose` 'compact', the last day's open compacts (everything in the snapshot); then
 * counts the entries, as an open on the last day sees them.
 */
async function finish(dir, spec, lastClose) {
  const yesterday = (spec.today - 1) * DAY_MS + 12 * 3_600_000;
  const options = { dir, target: TARGET, now: yesterday, retentionDays: spec.retention };
  if (lastClose === 'compact') {
    const last = await openLedger(options);
    await last.compact();
    await last.close();
  }
  const view = await openLedger({ ...options, readOnly: true });
  const entries = view.counts().confirmedEvents;
  await view.close();
  return entries;
}

async function main() {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '30' },
      'per-day': { type: 'string', default: '1000000' },
      retention: { type: 'string', default: '30' },
      'last-close': { type: 'string', default: 'compact' },
      dir: { type: 'string' },
      'build-dir': { type: 'string' },
    },
  });
  const days = Number(values.days);
  const perDay = Number(values['per-day']);
  const retention = Number(values.retention);
  const lastClose = values['last-close'];
  if (!(days >= 1 && perDay >= 1 && retention >= 1)) throw new Error('--days, --per-day, --retention: >= 1');
  if (lastClose !== 'compact' && lastClose !== 'policy') throw new Error('--last-close: compact or policy');
  if (values.dir && values['build-dir']) throw new Error('--dir and --build-dir: one or the other');
  const now = Date.now(); // today's clock, read once: the days end yesterday relative to it
  const today = Math.floor(now / DAY_MS);
  const parent = values.dir ?? mkdtempSync(join(tmpdir(), 'pxs-retention-'));
  const dir = join(parent, 'events-ledger');
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} already holds a ledger`);
  const spec = { dir, days, perDay, today, retention };
  try {
    let buildMs;
    const buildDir = values['build-dir'];
    if (buildDir) {
      // Built once, reused (by either --last-close): each run copies it, since today's run
      // changes the ledger.
      const key = JSON.stringify({ days, perDay, today, retention });
      const ledgerDir = join(buildDir, 'events-ledger');
      const keyFile = join(buildDir, 'build.json');
      const reuse = existsSync(keyFile) && JSON.parse(readFileSync(keyFile, 'utf8')).key === key;
      if (reuse) {
        buildMs = JSON.parse(readFileSync(keyFile, 'utf8')).buildMs;
        process.stderr.write(`reusing the ledger built in ${ledgerDir}\n`);
      } else {
        rmSync(buildDir, { recursive: true, force: true });
        mkdirSync(buildDir, { recursive: true });
        buildMs = await build(ledgerDir, { ...spec, dir: ledgerDir });
        writeFileSync(keyFile, JSON.stringify({ key, buildMs }));
      }
      cpSync(ledgerDir, dir, { recursive: true });
    } else {
      buildMs = await build(dir, spec);
    }
    const entries = await finish(dir, spec, lastClose);
    const onDisk = diskBytes(dir);

    // Day d (0 = oldest) is days - d days old today: the day exactly `retention` days old
    // expires today (older ones, if any, already expired during the build).
    const expiringDay = Math.max(-1, days - retention);
    const run = child({ dir, days, perDay, now, retention, expiringDay });
    const after = diskBytes(dir);
    const expectedExpired = expiringDay >= 0 ? perDay : 0;
    // The figures mean something only if the run did what it should.
    const ok = run.expiredEvents === expectedExpired && run.lookups.wrong === 0;
    if (!ok) process.exitCode = 1;
    console.log(
      JSON.stringify(
        {
          ok,
          days,
          perDay,
          retentionDays: retention,
          lastClose,
          entries,
          bytesOnDisk: onDisk,
          // 17 bytes an op, plus a 16-byte header and 8 bytes a frame (of up to 4096 ops)
          journalOps: Math.floor((onDisk.journal - 16) / (17 + 8 / 4096)),
          bytesPerEntry: Math.round((onDisk.total / entries) * 100) / 100,
          buildSeconds: Math.round(buildMs / 100) / 10,
          today: {
            ...run,
            maxRssMiB: mib(run.maxRssBytes),
            expectedExpired,
            bytesOnDiskAfterClose: after,
          },
        },
        null,
        2,
      ),
    );
  } finally {
    if (!values.dir) rmSync(parent, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  console.log(`RESULT ${JSON.stringify(await todayRun(JSON.parse(process.argv[3])))}`);
} else {
  await main();
}
