/**
 * How many request starts fall in one window. The starts are virtual times (`vt.watch`, see
 * virtual-time.ts), exact: the limiter holds every window of 1,005 ms to floor(rate) starts,
 * and the tests count windows of 1,000 and 1,005 ms with no slack.
 */

/** The most times (sorted) within any `windowMs` of each other (a window [t, t + windowMs)). */
export function mostInWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
