/** Case 10's figures (bench/src/multi-day-figures.ts), on hand-made timelines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { daysUsed, idealEndSec, whileDown } from '../src/multi-day-figures.js';

const plan = { quota: 6000, daySec: 30, perSecond: 400 };
const noOutage = { fromSec: Number.POSITIVE_INFINITY, toSec: Number.POSITIVE_INFINITY };

describe('case 10 figures', () => {
  it('an ideal client spends each day at the limit, waits for the next day, and resumes when PX is back', () => {
    // 6,000 in 15 s, the day's quota: done at 16 s from a start at 1 s.
    assert.equal(idealEndSec(plan, 1, noOutage, 6000), 16);
    // 6,001: the last one waits for day 1.
    assert.equal(idealEndSec(plan, 1, noOutage, 6001), 30 + 1 / 400);
    // Down 45-105 s: days 0 and 1 spent by 45 s, day 2 lost, day 3 from 105 s at 400/s.
    assert.equal(idealEndSec(plan, 0, { fromSec: 45, toSec: 105 }, 12_000 + 2000), 110);
    // Down from 40 s: day 1's last 2,000 wait until day 3 (105 s), whose quota is whole.
    assert.equal(idealEndSec(plan, 0, { fromSec: 40, toSec: 105 }, 12_000), 110);
  });

  it('counts the quota days with requests admitted, and the requests PX got down after the wait began', () => {
    const seconds = [
      { second: 0, admitted: 5, down: 0 },
      { second: 29, admitted: 1, down: 0 },
      { second: 30, admitted: 0, down: 40 },
      { second: 31, admitted: 0, down: 1 },
      { second: 33, admitted: 0, down: 1 },
      { second: 95, admitted: 7, down: 0 },
    ];
    assert.deepEqual(daysUsed(seconds, 30), [0, 3]);
    assert.deepEqual(whileDown(seconds, 30.4), { total: 42, afterWaitBegan: 2, mostInASecondAfter: 1 });
    assert.deepEqual(whileDown(seconds, undefined), { total: 42, afterWaitBegan: 0, mostInASecondAfter: 0 });
  });
});
