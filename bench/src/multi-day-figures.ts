/**
 * Case 10's figures from what a PX server counted, second by second (pure functions, no I/O).
 * Times are seconds on the server's clock since quota day 0 began: day n is
 * [n × daySec, (n + 1) × daySec), and second s of its timeline lies in day floor(s / daySec).
 */

export interface QuotaPlan {
  /** Requests a quota day. */
  quota: number;
  /** Length of a quota day, seconds. */
  daySec: number;
  /** PX's per-second limit: the fastest any client may send. */
  perSecond: number;
}

/** PX down over [fromSec, toSec). */
export interface Window {
  fromSec: number;
  toSec: number;
}

/** What the server counted in one second of its timeline. */
export interface CountedSecond {
  second: number;
  admitted: number;
  down: number;
}

/** The quota days in which PX admitted at least one request (each admitted request uses quota). */
export function daysUsed(seconds: CountedSecond[], daySec: number): number[] {
  const days = new Set<number>();
  for (const s of seconds) if (s.admitted > 0) days.add(Math.floor(s.second / daySec));
  return [...days].sort((a, b) => a - b);
}

/**
 * When a client that knew everything would be done: from `startSec`, it sends `needed`
 * requests at PX's per-second limit whenever PX is up and the day's quota is not spent, waits
 * for the next day at a spent quota, and goes on the instant PX is back from `outage`.
 */
export function idealEndSec(plan: QuotaPlan, startSec: number, outage: Window, needed: number): number {
  let t = startSec;
  let left = needed;
  const used = new Map<number, number>();
  // Each step reaches the end of a day, the outage, or the end: a few per day.
  for (let step = 0; step < 1_000_000; step++) {
    if (t >= outage.fromSec && t < outage.toSec) {
      t = outage.toSec;
      continue;
    }
    const day = Math.floor(t / plan.daySec);
    const dayEnd = (day + 1) * plan.daySec;
    const until = t < outage.fromSec ? Math.min(dayEnd, outage.fromSec) : dayEnd;
    const quotaLeft = plan.quota - (used.get(day) ?? 0);
    const canSend = Math.min(quotaLeft, plan.perSecond * (until - t));
    if (left <= canSend) return t + left / plan.perSecond;
    left -= canSend;
    used.set(day, (used.get(day) ?? 0) + canSend);
    t = canSend === quotaLeft ? dayEnd : until;
  }
  throw new Error('idealEndSec: no end (a quota or rate of 0?)');
}

/** The requests PX refused while it was down, split at the start of the load's wait for it. */
export interface WhileDown {
  total: number;
  /** In the seconds wholly after the wait began: the probes alone, if they go one at a time. */
  afterWaitBegan: number;
  /** The most in any one of those seconds. */
  mostInASecondAfter: number;
}

/** `waitBeganSec`: when the load's wait for PX began (undefined: it never waited). */
export function whileDown(seconds: CountedSecond[], waitBeganSec: number | undefined): WhileDown {
  let total = 0;
  let afterWaitBegan = 0;
  let mostInASecondAfter = 0;
  for (const s of seconds) {
    total += s.down;
    if (waitBeganSec === undefined || s.second < Math.ceil(waitBeganSec)) continue;
    afterWaitBegan += s.down;
    mostInASecondAfter = Math.max(mostInASecondAfter, s.down);
  }
  return { total, afterWaitBegan, mostInASecondAfter };
}
