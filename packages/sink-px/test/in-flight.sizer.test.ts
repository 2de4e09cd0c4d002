/**
 * The in-flight sizer on its own (in-flight.ts), on a fake clock the test sets: Little's law on
 * the law's rate and the p90 of the latest answers, with its headroom, floor and bounds; growing
 * at once, from the requests still out when the cap is full, before any answer; shrinking only
 * after the hold; pinned when `concurrency` is given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BOUNDS, IN_FLIGHT, InFlightSizer, inFlightFor, initialInFlight } from '../src/in-flight.js';

/** A sizer on a clock and a rate the test sets, with the sizes it announced. */
function sizer(options: { rate?: number; pinned?: number; max?: number } = {}) {
  const state = { now: 0, rate: options.rate ?? 200 };
  const changes: number[] = [];
  const s = new InFlightSizer({
    rate: () => state.rate,
    clock: () => state.now,
    ...(options.pinned !== undefined ? { pinned: options.pinned } : {}),
    ...(options.max !== undefined ? { bounds: { min: 8, max: options.max } } : {}),
    onChange: (size) => changes.push(size),
  });
  /** `count` answers of `ms` each, evenly over the next `overMs` (the clock moves before each). */
  const answers = (count: number, ms: number, overMs = 0) => {
    for (let i = 0; i < count; i++) {
      state.now += overMs / count;
      s.answered(ms);
    }
  };
  return { s, state, changes, answers };
}

/**
 * Requests started every `1000 / rate` ms for `forMs` when the cap leaves a place (else counted
 * `blocked`), each answered `roundTrip()` ms after it left.
 */
function pacedLoad(rate: number, roundTrip: () => number, forMs: number) {
  const t = sizer({ rate });
  const state = { ...t.state, blocked: 0, maxOut: 0 };
  t.state.now = 0;
  const out: Array<{ due: number; request: ReturnType<typeof t.s.sent> }> = [];
  for (let at = 0; at < forMs; at += 1000 / rate) {
    t.state.now = at;
    while (out.length > 0 && out[0]!.due <= at) {
      const { request } = out.shift()!;
      t.s.done(request);
      t.s.answered(at - request.at);
    }
    if (out.length >= t.s.size) state.blocked++;
    else {
      out.push({ due: at + roundTrip(), request: t.s.sent() });
      state.maxOut = Math.max(state.maxOut, out.length);
    }
  }
  return { ...t, state };
}

describe('in-flight sizing: Little’s law', () => {
  it('rate × round trip × 1.25, a round trip under 200 ms counted as 200 ms, within 8 and 512', () => {
    assert.equal(inFlightFor(200, 1000), 250);
    assert.equal(inFlightFor(200, 400), 100);
    // The floor: at 40 ms as at 200 ms, the old default (rate × 0.25).
    assert.equal(inFlightFor(200, 40), 50);
    assert.equal(inFlightFor(150, 40), 38);
    assert.equal(inFlightFor(10, 40), DEFAULT_BOUNDS.min);
    assert.equal(inFlightFor(200, 5000), DEFAULT_BOUNDS.max);
    assert.equal(inFlightFor(100_000, 40), 512);
    // Before any answer: the floor's.
    assert.equal(initialInFlight(200), 50);
    assert.equal(initialInFlight(150), 38);
    assert.deepEqual(IN_FLIGHT, {
      quantile: 0.9,
      window: 128,
      headroom: 1.25,
      floorMs: 200,
      holdMs: 2000,
      refreshMs: 100,
    });
  });

  it('grows at once: the first answers of a far PX size it, and a slower PX raises it within 100 ms', () => {
    const { s, state, changes, answers } = sizer();
    assert.equal(s.size, 50, 'the floor before any answer');
    state.now = 1500;
    answers(1, 1500);
    assert.equal(s.size, Math.ceil(200 * 1.5 * 1.25), 'the first answer sizes it (375)');
    // 200 answers of 2 s arrive over a second: the p90 passes 2 s once they are more than a
    // tenth of the window, at the first sizing 100 ms on.
    answers(200, 2000, 1000);
    assert.equal(s.size, 500);
    assert.deepEqual(changes, [375, 500]);
    assert.deepEqual(s.roundTrip(), { p50: 2000, p90: 2000 });
    assert.equal(s.peak, 500);
  });

  it('shrinks only once a lower size has held 2 s, then to the floor of a near PX', () => {
    const { s, state, changes, answers } = sizer();
    answers(128, 1000, 640);
    assert.equal(s.size, 250);
    changes.length = 0;
    // PX answers in 40 ms from now on (200/s): the window is all fast answers 0.64 s later.
    const fastFrom = state.now;
    answers(128, 40, 640);
    assert.equal(s.size, 250, 'still held');
    while (s.size === 250) answers(1, 40, 5);
    const shrunkAt = state.now - fastFrom;
    // The last sizing that asked for 250 came 565 ms after the change (113 fast answers of 128:
    // the p90 still 1 s); the size is kept 2 s from it, so it shrinks at 2,565 ms.
    assert.equal(shrunkAt, 2565);
    assert.equal(s.size, 50, 'the floor: 200/s × 200 ms × 1.25');
    assert.deepEqual(changes, [50]);
    assert.equal(s.peak, 250);
  });

  it('a slow answer in ten does not move it; slow answers past a tenth of the window do', () => {
    const { s, answers } = sizer();
    // 116 answers at 400 ms and 12 at 3 s (9.4% of 128): the p90 is 400 ms.
    answers(116, 400, 580);
    answers(12, 3000, 60);
    answers(1, 400, 100);
    assert.equal(s.roundTrip().p90, 400);
    assert.equal(s.size, 100, '200 × 0.4 × 1.25');
    // Two more slow ones: 14 of 128, the p90 is 3 s.
    answers(2, 3000, 100);
    answers(1, 400, 100);
    assert.equal(s.roundTrip().p90, 3000);
    assert.equal(s.size, 512, 'bounded: 200 × 3 × 1.25 = 750');
  });

  it('follows the law’s rate, never the 429s: a cut lowers it (after the hold), a rise raises it at once', () => {
    const { s, state, answers } = sizer();
    answers(128, 1000, 640);
    assert.equal(s.size, 250);
    state.rate = 140; // the law cut the rate by 0.7
    answers(500, 1000, 2500);
    assert.equal(s.size, 175, '140 × 1 × 1.25');
    state.rate = 197; // back near the plateau
    answers(21, 1000, 105);
    assert.equal(s.size, 247);
  });

  it('sizes at most every 100 ms: answers in between are recorded, not sized on', () => {
    const { s, state, changes } = sizer();
    s.answered(1000); // sized at once: 250
    state.now = 50;
    for (let i = 0; i < 100; i++) s.answered(3000);
    assert.equal(s.size, 250, 'not sized within 100 ms of the last sizing');
    state.now = 100;
    s.answered(3000);
    assert.equal(s.size, 512);
    assert.deepEqual(changes, [250, 512]);
  });

  it('before any answer, the requests out grow it: at 200/s with 1 s answers no start ever waits for a place', () => {
    const { s, state, changes } = pacedLoad(200, () => 1000, 3000);
    assert.equal(state.blocked, 0, 'every start found a place under the cap');
    // Each start that fills the cap sizes it from the first tenth out: about 1.25 × 0.9 = 1.125
    // times (the 6th of 57 left 51 starts ago, 255 ms: 200 × 0.255 × 1.25 = 64).
    assert.deepEqual(changes.slice(0, 4), [57, 64, 72, 80]);
    assert.ok(state.maxOut >= 200 && state.maxOut <= s.peak, `${state.maxOut} out, peak ${s.peak}`);
    // Then the answers size it: 200 × 1 × 1.25.
    assert.equal(s.size, 250);
  });

  it('a PX 40 ms away never fills the floor: the cap stays at rate × 0.25, no change announced', () => {
    const { s, state, changes } = pacedLoad(200, () => 40, 3000);
    assert.equal(state.blocked, 0);
    assert.ok(state.maxOut <= 10, `${state.maxOut} out`);
    assert.deepEqual([s.size, s.peak, changes.length], [50, 50, 0]);
  });

  it('one request stuck (until its timeout) does not move it: the tenth that left first does', () => {
    const { s, state } = sizer();
    s.sent(); // never answered
    state.now = 20_000;
    // A burst fills the cap: the 5th oldest of 50 left now.
    for (let i = 0; i < 49; i++) s.sent();
    assert.equal(s.size, 50);
    assert.equal(s.peak, 50);
  });

  it('pinned (`concurrency` given): the size never moves, the round trip is still measured', () => {
    const { s, changes, answers } = sizer({ pinned: 40 });
    answers(200, 1000, 1000);
    answers(600, 40, 3000);
    answers(200, 2000, 1000);
    assert.equal(s.size, 40);
    assert.deepEqual(changes, []);
    assert.deepEqual(s.roundTrip(), { p50: 2000, p90: 2000 });
  });

  it('a lower bound of the caller (maxConcurrency) caps it, the start included', () => {
    const { s, answers } = sizer({ max: 100 });
    assert.equal(s.size, 50);
    answers(50, 1500, 250);
    assert.equal(s.size, 100);
    assert.equal(sizer({ max: 30 }).s.size, 30);
  });
});
