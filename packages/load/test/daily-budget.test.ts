import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DailyRequests } from '@pxstream/ledger';
import { DailyBudget } from '../src/run/daily-budget.js';
import { LoadLog } from '../src/run/log.js';

const NOON = Date.UTC(2026, 11, 2, 12);

describe('DailyBudget', () => {
  const budget = (cap: number | undefined, wait: boolean, clock: () => number) =>
    new DailyBudget(DailyRequests.inMemory(clock), cap, wait, clock, new LoadLog(undefined));

  it('counts every request; without a cap it never holds one', async () => {
    const counted = budget(undefined, true, () => NOON);
    const signal = new AbortController().signal;
    for (let i = 0; i < 5; i++) assert.equal(counted.take(signal), undefined);
    assert.equal(counted.today, 5);
    await counted.close();
  });

  it('at the cap with wait: false, rejects with the fatal PX_DAILY_BUDGET', async () => {
    const capped = budget(2, false, () => NOON);
    const signal = new AbortController().signal;
    assert.equal(capped.take(signal), undefined);
    assert.equal(capped.take(signal), undefined);
    await assert.rejects(Promise.resolve(capped.take(signal)), {
      code: 'PX_DAILY_BUDGET',
      fatal: true,
      message:
        /the daily budget of 2 requests \(`dailyBudget`\) is used: 2 requests sent to this PX today; it opens again at 00:00 UTC \(in 12h00m\)/,
    });
    assert.equal(capped.today, 2, 'the refused request is not counted');
    await capped.close();
  });

  it('a request waiting for the next day gives up when its signal aborts (a stop), counting nothing', async () => {
    const waiting = budget(1, true, () => NOON);
    const stop = new AbortController();
    assert.equal(waiting.take(stop.signal), undefined);
    const held = waiting.take(stop.signal);
    assert.ok(held instanceof Promise);
    assert.equal(waiting.waitingSince, NOON);
    stop.abort(new Error('halted'));
    await assert.rejects(held, /halted/);
    assert.equal(waiting.today, 1);
    await waiting.close();
  });
});
