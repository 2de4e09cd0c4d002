/**
 * Clocks a test sets by hand, for an emulator over real sockets (`startEmulator(options,
 * clocks)`): the limits, stats and timeline read these instead of `performance.now()` and
 * `Date.now()`, so a test states the time of each request instead of waiting for it, and its
 * assertions are exact on any machine, however slowly it runs.
 */
import type { EmulatorClocks } from '@pxstream/emulator';

/** A wall-clock start on a second boundary (14 Nov 2023 22:13:20 UTC). */
export const WALL_START = 1_700_000_000_000;

/** The monotonic clock starts at 0, the wall clock at `wallStart`; `at(ms)` moves both to `ms` from the start. */
export function manualClocks(wallStart = WALL_START) {
  const time = { mono: 0, wall: wallStart };
  const clocks: EmulatorClocks = { clock: () => time.mono, wallClock: () => time.wall };
  return {
    time,
    clocks,
    at(ms: number) {
      time.wall += ms - time.mono;
      time.mono = ms;
    },
  };
}

/**
 * A latency wait that lasts until the test releases it: `asked` lists the delays asked for,
 * `waiting` the answers held (oldest first).
 */
export function heldSleep() {
  const asked: number[] = [];
  const waiting: Array<() => void> = [];
  return {
    asked,
    waiting,
    sleep: (ms: number) => {
      asked.push(ms);
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
  };
}

/**
 * Resolves once `condition()` holds, checking at every turn of the event loop (no timer, no
 * wall-clock bound: a condition that never comes is the test's timeout).
 */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
