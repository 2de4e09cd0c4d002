/**
 * The control law as plain logic on an injected monotonic clock: deterministic, no sleeping.
 * Each rule of the comment in control-law.ts, then whole runs against a modelled PX (a strict
 * sliding window, random throttles) driven request by request in virtual time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControlLaw, LAW, type Verdict } from '../src/control-law.js';

const MAX = 200;

/** A law at MAX whose level has held for `ms` of quiet sending (answers every 5 ms). */
function provenLaw(ms = 1500): { law: ControlLaw; t: number } {
  const law = new ControlLaw({ max: MAX }, 0);
  let t = 0;
  for (; t <= ms; t += 5) law.succeeded(t);
  return { law, t };
}

/** Answers at the law's rate until the descent is over (a minute at most); returns the time. */
function untilProven(law: ControlLaw, t: number): number {
  const end = t + 60_000;
  while (law.state(t).descending && t < end) t = succeedFor(law, t, 10);
  assert.equal(law.state(t).descending, false, 'the cut level was proven');
  return t;
}

/** Answers at the law's rate from `t` for `ms`; returns the time reached. */
function succeedFor(law: ControlLaw, t: number, ms: number): number {
  const end = t + ms;
  while (t < end) {
    law.succeeded(t);
    t += 1000 / law.rate(t);
  }
  return t;
}

describe('control law: one 429 at a time', () => {
  it('starts at the configured rate, never above it, never below its floor', () => {
    const law = new ControlLaw({ max: MAX }, 1000);
    assert.equal(law.rate(1000), MAX);
    assert.equal(law.rate(1_000_000), MAX);
    assert.equal(law.floor, MAX / 64);
  });

  it('a 429 at a level that held costs the margin only (a trim), not beta', () => {
    const { law, t } = provenLaw();
    const epoch = law.epoch;
    assert.equal(law.throttled(t, epoch), 'trim');
    assert.equal(law.epoch, epoch + 1);
    assert.ok(Math.abs(law.rate(t) - MAX * (1 - LAW.margin)) < 1e-9, `rate ${law.rate(t)}`);
  });

  it('429s of requests started before the last event are echoes: no second decrease', () => {
    const { law, t } = provenLaw();
    const epoch = law.epoch;
    law.throttled(t, epoch);
    const after = law.rate(t + 1);
    for (let i = 0; i < 20; i++) assert.equal(law.throttled(t + 1 + i, epoch), 'echo');
    assert.equal(law.rate(t + 30), after);
  });

  it('a second 429 soon after a trim confirms an overload: cut by beta (0.7)', () => {
    const { law, t } = provenLaw();
    law.throttled(t, law.epoch);
    law.paused(t + 1000);
    const later = succeedFor(law, t + 1000, 500);
    const level = law.rate(later);
    assert.equal(law.throttled(later, law.epoch), 'cut');
    assert.ok(Math.abs(law.rate(later) - level * LAW.beta) < 1e-9);
    assert.equal(law.state(later).descending, true);
  });

  it('a trim that holds for the confirmation time is forgotten: the next lone 429 trims again', () => {
    const { law, t } = provenLaw();
    law.throttled(t, law.epoch);
    law.paused(t + 1000);
    const later = succeedFor(law, t + 1000, LAW.confirmMs + 500);
    assert.equal(law.throttled(later, law.epoch), 'trim');
  });

  it('after a cut the level holds until proven, then rises fast at first and flat near the plateau', () => {
    const { law, t } = provenLaw();
    law.throttled(t, law.epoch);
    const cutAt = t + 100;
    assert.equal(law.throttled(cutAt, law.epoch), 'cut');
    const cut = law.rate(cutAt);
    // Unproven: the cut level holds however long it waits.
    assert.equal(law.rate(cutAt + 60_000), cut);
    const proofAt = untilProven(law, cutAt);
    assert.ok(proofAt - cutAt >= LAW.proofMs, 'held at least a second');
    const plateau = law.state(proofAt).ceiling! * (1 - LAW.margin);
    const at = (fraction: number) => law.rate(proofAt + fraction * LAW.riseMs);
    // Concave: a fifth of the rise time covers about half of the gap; the last fifth almost nothing.
    assert.ok(at(0.2) - cut > 0.45 * (plateau - cut), `after 20%: ${at(0.2)}`);
    assert.ok(plateau - at(0.8) < 0.01 * (plateau - cut), `after 80%: ${at(0.8)}`);
    assert.ok(Math.abs(at(1) - plateau) < 1e-9);
  });

  it('a rising level that fails above the level that held goes back to that level, no cut', () => {
    const { law, t } = provenLaw();
    law.throttled(t, law.epoch);
    law.throttled(t + 100, law.epoch); // cut to 0.7 x 196
    let now = untilProven(law, t + 100);
    now = succeedFor(law, now, LAW.riseMs * 0.6); // rising
    const proven = law.rate(now - LAW.proofMs);
    const rising = law.rate(now);
    assert.ok(rising > proven + 5, `rising ${rising} from ${proven}`);
    assert.equal(law.throttled(now, law.epoch), 'return');
    assert.ok(Math.abs(law.rate(now) - Math.min(proven, rising * (1 - LAW.margin))) < 1e-6);
  });

  it('probes above its plateau slowly at first, and slower after each failure at the same ceiling', () => {
    const gainAfter = (failures: number) => {
      const { law } = provenLaw();
      let t = 2000;
      for (let i = 0; i < failures; i++) {
        t = succeedFor(law, t, LAW.confirmMs + 1000);
        // Fail at the ceiling each time: a probe that reached MAX again.
        while (law.rate(t) < MAX * 0.999) t = succeedFor(law, t, 1000);
        law.throttled(t, law.epoch);
        law.paused(t + 1000);
      }
      const level = law.rate(t);
      // Two seconds into the probe (after the hold): how far above the plateau.
      return law.rate(t + LAW.holdMs + 2000) / level - 1;
    };
    const first = gainAfter(1);
    const fourth = gainAfter(4);
    assert.ok(first > 0 && first < 0.005, `first probe: +${(first * 100).toFixed(3)}% after 2 s`);
    assert.ok(fourth < first / 50, `after four failures: +${(fourth * 100).toFixed(5)}%`);
  });
});

/** A deterministic generator in [0, 1). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  landed: number;
  throttled: number;
  seconds: number;
  verdicts: Verdict[];
  lowest: number;
}

/**
 * Requests one after another at the law's rate for `seconds` of virtual time, each answered at
 * once by `answer(t)`: true admitted, false a 429 with `Retry-After: 1` (which pauses every start).
 */
function drive(law: ControlLaw, seconds: number, answer: (t: number) => boolean): Run {
  const run: Run = { landed: 0, throttled: 0, seconds, verdicts: [], lowest: law.max };
  let t = 0;
  let pausedUntil = 0;
  while (t < seconds * 1000) {
    t = Math.max(t, pausedUntil);
    const epoch = law.epoch;
    if (answer(t)) {
      run.landed++;
      law.succeeded(t + 1);
    } else {
      run.throttled++;
      run.verdicts.push(law.throttled(t + 1, epoch));
      pausedUntil = t + 1001;
      law.paused(pausedUntil);
    }
    run.lowest = Math.min(run.lowest, law.rate(t));
    t += 1000 / law.rate(t);
  }
  return run;
}

/** A strict sliding window of `limit` requests per 1000 ms, of which `other` go to another client. */
function slidingWindow(limit: number, other: number): (t: number) => boolean {
  const admitted: number[] = [];
  return (t) => {
    while (admitted.length > 0 && admitted[0]! <= t - 1000) admitted.shift();
    if (admitted.length >= limit - other) return false;
    admitted.push(t);
    return true;
  };
}

/** A token bucket refilled at `perSecond`, holding at most `burst` tokens. */
function tokenBucket(perSecond: number, burst: number): (t: number) => boolean {
  let tokens = burst;
  let last = 0;
  return (t) => {
    tokens = Math.min(burst, tokens + ((t - last) * perSecond) / 1000);
    last = t;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
}

describe('control law: whole runs against a modelled PX', () => {
  it('random throttles (2% of requests, Retry-After 1) are found to be noise: the rate goes back', () => {
    const draw = random(7);
    const law = new ControlLaw({ max: 400 }, 0);
    const run = drive(law, 120, () => draw() >= 0.02);
    assert.ok(run.verdicts.includes('noise-found'), 'the descent found the 429s did not thin out');
    assert.ok(run.verdicts.filter((v) => v === 'noise').length > run.throttled / 2, 'most 429s ignored');
    // Every Retry-After was honoured (a second lost each), yet the rate was not ratcheted down.
    assert.ok(law.rate(120_000) >= 400 * 0.9, `rate at the end ${law.rate(120_000)}`);
    assert.ok(run.landed / run.seconds > 38, `${(run.landed / run.seconds).toFixed(1)} requests/s landed`);
  });

  it('the same throttles halve a law without the noise test down to its floor', () => {
    // The comparison that makes the previous test able to fail: with the noise test disabled
    // (a descent never ends in noise), the same run ratchets the rate down.
    const draw = random(7);
    const law = new ControlLaw({ max: 400, constants: { noiseDepth: 0 } }, 0);
    const run = drive(law, 120, () => draw() >= 0.02);
    assert.ok(run.lowest < 400 * 0.1, `lowest ${run.lowest}`);
  });

  it('another client taking half a sliding window: settles under the half left, few 429s', () => {
    const law = new ControlLaw({ max: 200 }, 0);
    const run = drive(law, 150, slidingWindow(200, 100));
    const perSecond = run.landed / run.seconds;
    assert.ok(perSecond >= 85 && perSecond <= 100, `${perSecond.toFixed(1)} requests/s of the 100 left`);
    assert.ok(run.throttled <= 20, `${run.throttled} 429s`);
    assert.ok(law.rate(150_000) <= 100, `rate at the end ${law.rate(150_000)}`);
  });

  it('a window at exactly the configured rate: a lone edge 429 costs a trim, the rate stays near it', () => {
    const law = new ControlLaw({ max: 200 }, 0);
    // 199 of 200: a compressed delivery makes one of ours too many now and then.
    const run = drive(law, 60, slidingWindow(199, 0));
    assert.ok(!run.verdicts.includes('noise-found'));
    assert.ok(law.rate(60_000) >= 190, `rate at the end ${law.rate(60_000)}`);
    assert.ok(run.landed / run.seconds >= 185, `${(run.landed / run.seconds).toFixed(1)} requests/s`);
  });

  it('a limit a tenth of the configured rate (40/s, burst 2, --rate 400) is an overload, never noise', () => {
    const law = new ControlLaw({ max: 400 }, 0);
    // Seven cuts of 0.7 (a second's pause each) find it in about 10 s; then 30-40/s.
    const run = drive(law, 120, tokenBucket(40, 2));
    assert.ok(!run.verdicts.includes('noise-found'), run.verdicts.join(' '));
    const perSecond = run.landed / run.seconds;
    assert.ok(perSecond >= 32 && perSecond <= 40, `${perSecond.toFixed(1)} requests/s of 40`);
    assert.ok(run.throttled <= 30, `${run.throttled} 429s`);
  });

  it('the same limit, when a deep descent is always noise, lands a fraction of it', () => {
    // The comparison that makes the previous test able to fail: without the share test, the
    // descent from 400 reaches a quarter of it and is taken for noise every 30 s.
    const law = new ControlLaw({ max: 400, constants: { noiseMaxShare: 1 } }, 0);
    const run = drive(law, 60, tokenBucket(40, 2));
    assert.ok(run.verdicts.includes('noise-found'));
    assert.ok(run.landed / run.seconds < 20, `${(run.landed / run.seconds).toFixed(1)} requests/s`);
  });
});
