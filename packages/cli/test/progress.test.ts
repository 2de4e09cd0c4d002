import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadProgress } from '@pxstream/load';
import { createLogger } from '../src/logger.js';
import {
  formatDuration,
  formatProgress,
  formatProgressLog,
  ProgressLine,
  ProgressLog,
} from '../src/progress.js';
import { capture } from './helpers.js';

function progress(fields: Partial<LoadProgress>): LoadProgress {
  return {
    read: 0,
    updated: 0,
    inserted: 0,
    skipped: 0,
    rejected: 0,
    dryRun: 0,
    finished: 0,
    finishedBefore: 0,
    bytesDone: 0,
    startBytes: 0,
    size: undefined,
    requests: 0,
    retries: 0,
    http429: 0,
    currentRate: undefined,
    elapsedMs: 0,
    requestsToday: undefined,
    dailyBudget: undefined,
    waits: 0,
    waitedMs: 0,
    waiting: undefined,
    ...fields,
  };
}

describe('progress line', () => {
  it('takes the percent and ETA from the bytes finished, not the bytes read ahead', () => {
    // 10 s in, a quarter of the file's rows finished (the reader may be far ahead of them).
    const line = formatProgress(
      progress({ read: 250, inserted: 250, finished: 250, bytesDone: 2500, size: 10_000, elapsedMs: 10_000 }),
    );
    assert.match(line, /^250 rows 25\/s 25\.0% ETA 30s \| upd 0 ins 250 skip 0 err 0$/);
  });

  it('on a resume: percent of the whole file, speed and ETA of this run only', () => {
    // Resumed at byte 5000 (500 rows done before); 100 more rows and 1000 bytes in 10 s.
    const line = formatProgress(
      progress({
        read: 600,
        finished: 600,
        finishedBefore: 500,
        updated: 600,
        bytesDone: 6000,
        startBytes: 5000,
        size: 10_000,
        retries: 3,
        http429: 2,
        currentRate: 150,
        elapsedMs: 10_000,
      }),
    );
    assert.equal(line, '600 rows 10/s 60.0% ETA 40s | upd 600 ins 0 skip 0 err 0 | retries 3 429s 2');
  });

  it('stdin (size unknown): rows and speed only; a typical line fits 80 columns', () => {
    const line = formatProgress(
      progress({
        read: 1_234_567,
        finished: 1_234_567,
        inserted: 1_200_000,
        rejected: 34_567,
        bytesDone: undefined,
        retries: 1234,
        http429: 56,
        currentRate: 150,
        elapsedMs: 8_000_000,
      }),
    );
    assert.doesNotMatch(line, /%|ETA/);
    assert.match(line, /retries 1234 429s 56$/);
    assert.ok(line.length <= 80, `${line.length}: ${line}`);
  });

  it('formats durations', () => {
    assert.deepEqual([4_000, 65_000, 3_725_000].map(formatDuration), ['4s', '1m05s', '1h02m']);
  });
});

describe('progress line on a terminal', () => {
  const terminal = (columns: number) => {
    let text = '';
    return {
      out: Object.assign(
        {
          write: (chunk: string) => {
            text += chunk;
            return true;
          },
        },
        { columns },
      ) as unknown as NodeJS.WritableStream & { columns: number },
      text: () => text,
    };
  };

  it('fits the width of the terminal as it is at each draw, and erases what the last draw left', () => {
    const term = terminal(40);
    const line = new ProgressLine(term.out);
    const busy = progress({ read: 1_234_567, finished: 1_234_567, inserted: 1_200_000, elapsedMs: 60_000 });
    line.update(busy);
    const [first] = term.text().split('\x1b[K');
    assert.equal(first, `\r${formatProgress(busy).slice(0, 39)}`, 'cut to columns - 1, never wrapped');
    term.out.columns = 20; // the terminal was narrowed
    line.update(busy);
    const draws = term.text().split('\r').filter(Boolean);
    assert.equal(draws[1], `${formatProgress(busy).slice(0, 19)}\x1b[K`);
    assert.ok(!term.text().includes('  '), 'no padding that could wrap');
  });

  it('clears itself before a notice, so the notice (Ctrl-C) starts on its own line', () => {
    const term = terminal(80);
    const line = new ProgressLine(term.out);
    line.update(progress({ finished: 5, elapsedMs: 1000 }));
    line.clear();
    assert.ok(term.text().endsWith('\r\x1b[K'), 'the cursor is back at the start of an empty line');
    const before = term.text();
    line.clear();
    assert.equal(term.text(), before, 'nothing to clear twice');
  });
});

describe('progress in logs (stderr not a terminal)', () => {
  const SINCE = Date.UTC(2026, 11, 2, 14, 2, 11);

  it('says rows, rate, percent and ETA, requests today of the budget, waits, and the wait under way (no ETA then)', () => {
    const figures = {
      finished: 250,
      inserted: 250,
      bytesDone: 2500,
      size: 10_000,
      elapsedMs: 10_000,
      requestsToday: 812_345,
      dailyBudget: 900_000,
      waits: 2,
      waitedMs: 190_000,
    };
    assert.equal(
      formatProgressLog(progress(figures)),
      '250 rows, 25 rows/s, 25.0%, ETA 30s | upd 0 ins 250 skip 0 err 0 | 812345 of 900000 requests today | 2 waits (3m10s)',
    );
    // While waiting for PX, when it answers again is not known: no ETA.
    const line = formatProgressLog(
      progress({ ...figures, waiting: { for: 'px', since: SINCE, answer: 'HTTP 429 Rate limit exceeded' } }),
    );
    assert.equal(
      line,
      '250 rows, 25 rows/s, 25.0% | upd 0 ins 250 skip 0 err 0 | 812345 of 900000 requests today | 2 waits (3m10s) | waiting for PX since 14:02:11 UTC: HTTP 429 Rate limit exceeded',
    );
    assert.match(
      formatProgressLog(progress({ waits: 1, waiting: { for: 'budget', since: SINCE } })),
      /\| 1 wait \(0s\) \| waiting for 00:00 UTC \(daily budget used\)$/,
    );
  });

  it('prints one timestamped line per interval, and keeps the counters for JSON lines at every report', () => {
    let now = SINCE;
    const stderr = capture(false);
    const log = createLogger(
      { stderr },
      { quiet: false, verbose: false },
      () => (text) => text,
      () => now,
    );
    const timed = new ProgressLog(log, 60_000, () => now);
    assert.equal(timed.sampleMs, 1000, 'the load reports every second');
    for (let second = 1; second <= 150; second++) {
      now += 1000;
      timed.update(progress({ finished: second, elapsedMs: second * 1000 }));
    }
    const lines = stderr.text().trimEnd().split('\n');
    assert.deepEqual(
      lines.map((line) => line.slice(0, 31)),
      ['2026-12-02T14:03:11Z pxstream: ', '2026-12-02T14:04:11Z pxstream: '],
    );
    assert.equal(log.counters?.read, 0);
  });

  it('--log-format json: one object per line, with the counters of the last progress', () => {
    const stderr = capture(false);
    const log = createLogger(
      { stderr },
      { quiet: false, verbose: false, logFormat: 'json' },
      () => (text) => text.replace('SECRET', '[redacted]'),
      () => SINCE,
    );
    log.warn('line 3: rejected SECRET', 'VALIDATE_INVALID_EMAIL');
    new ProgressLog(log, 1000, () => SINCE).update(progress({ read: 7, requestsToday: 9 }));
    log.fatal('PX rejected the API key', 'PX_AUTH_FAILED');
    const [warning, fatal] = stderr
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(warning, {
      time: '2026-12-02T14:02:11.000Z',
      level: 'warn',
      code: 'VALIDATE_INVALID_EMAIL',
      message: 'line 3: rejected [redacted]',
      counters: null,
    });
    assert.equal(fatal.level, 'error');
    assert.equal(fatal.code, 'PX_AUTH_FAILED');
    assert.deepEqual(fatal.counters, {
      read: 7,
      updated: 0,
      inserted: 0,
      skipped: 0,
      rejected: 0,
      requests: 0,
      requestsToday: 9,
      waits: 0,
      waitedMs: 0,
    });
  });
});
