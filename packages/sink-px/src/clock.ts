/**
 * Monotonic time for every timing decision of the limiter. `Date.now()` follows the wall clock,
 * which NTP steps and a sleeping laptop move by seconds or hours: a pause computed from it could
 * last hours (a step back) or end at once (a step forward). `performance.now()` only moves
 * forward, at the rate of real time, and Node's timers run on the same monotonic clock.
 */

/** Milliseconds on a monotonic clock (origin arbitrary). */
export type MonotonicClock = () => number;

export const monotonicNow: MonotonicClock = () => performance.now();
