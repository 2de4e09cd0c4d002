/**
 * Virtual time for the sink's timing tests: the limiter's clock (`clock` option) reads a time
 * the test moves, and `node:test`'s mock timers (setTimeout, Date) run the gate's waits, the
 * backoffs and the `Retry-After` pauses on it. The sockets stay real: the emulator (on clocks
 * of the same time, `emulatorClocks`) or a scripted server answer over 127.0.0.1.
 *
 * `run(work)` drives it: it lets every real thing in progress finish (answers on their way,
 * promise chains, bottleneck's steps), then moves the time straight to the next pending timer
 * and fires it, and again, until `work` settles. Time never moves while an answer is on its
 * way, so a round trip takes no virtual time, and a busy machine changes nothing: what happens
 * at each moment is the same on any machine. A latency (the emulator's, or a scripted server's
 * `vt.sleep`) is a mock timer too, known to the driver: the requests it holds do not stop the
 * time.
 *
 * Assertions are then exact: starts per window on this clock, 429s, rates, waits.
 */
// Before any mock: a module that first imports `node:timers` or `node:timers/promises` while
// mock timers are on gets the mock's functions for good (the ES module of a built-in copies its
// exports when it is first imported), and they never fire once the mock is gone. Test files
// share a process (scripts/test-group.mjs) and load while earlier ones run: importing them here
// makes sure every later import gets the real ones. (Seen: the emulator's latency, in a file
// loaded during a virtual-time test, never answering.)
import 'node:timers';
import 'node:timers/promises';
import type { TestContext } from 'node:test';
import type { EmulatorClocks } from '../../../emulator/src/index.js';
import type { PxClient } from '../../src/index.js';

/** The wall clock at virtual time 0 (on a second boundary). */
export const WALL_START = 1_700_000_000_000;

/**
 * Turns of the event loop with nothing new (no request sent or answered, none on its way) after
 * which the driver takes the process to be idle. A request let through by the gate reaches the
 * transport within a few turns (bottleneck yields with setImmediate between its steps); this is
 * several times that, so that nothing due at one millisecond slips to the next.
 */
const QUIET_TURNS = 12;
/** Turns with requests on their way and no progress after which the driver gives up (seconds of real time). */
const STUCK_TURNS = 200_000;

type Request = (options: unknown) => Promise<unknown>;

export interface VirtualTime {
  /** Virtual ms since the start. */
  readonly now: number;
  /** The clock to give the sink (`clock` option) or the limiter. */
  readonly clock: () => number;
  /** The emulator's clocks on the same time (`startEmulator(options, clocks)`), latency included. */
  readonly emulatorClocks: EmulatorClocks;
  /** A wait on the virtual time that the driver knows about (a scripted server's latency). */
  sleep(ms: number): Promise<void>;
  /**
   * Watches a client's requests: the driver waits for their answers before it moves the time.
   * Returns the virtual time each one started (handed to the transport).
   */
  watch(client: PxClient): number[];
  /** Requests sent and not answered yet, most at once so far. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Called whenever everything due at the current time has happened, before the time moves (sampling). */
  onIdle: (() => void) | undefined;
  /** Drives the time until `work` settles; throws past `limitMs` of virtual time. */
  run<T>(work: Promise<T>, limitMs?: number): Promise<T>;
}

/**
 * The mock timers of `t`, from now to the end of the test, and the time each pending one is due
 * (the driver moves the time to the next one). Only the pending timers set under the mock go to
 * its `clearTimeout`: the mock clears a timer by its place in its own queue, so a foreign timer
 * (a real one: undici's, of a `fetch` made earlier) or one that has fired already, cleared
 * there, would drop whichever of the test's holds that place now (seen: bottleneck's start of a
 * job). A real timer goes to the real `clearTimeout`; clearing a mock one that fired does nothing.
 */
function mockTimers(t: TestContext, now: () => number) {
  const realClearTimeout = globalThis.clearTimeout;
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: WALL_START });
  const mockSetTimeout = globalThis.setTimeout;
  const mockClearTimeout = globalThis.clearTimeout;
  /** Pending mock timers: when each is due (virtual ms). */
  const due = new Map<object, number>();
  // Undone with the mock at the end of the test (it puts back the globals it replaced).
  globalThis.setTimeout = ((callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
    const timer: object = mockSetTimeout(
      (...callbackArgs: unknown[]) => {
        due.delete(timer);
        callback(...callbackArgs);
      },
      delay,
      ...args,
    );
    due.set(timer, now() + (Number(delay) || 0));
    return timer;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((timer: Parameters<typeof clearTimeout>[0]) => {
    if (timer !== null && typeof timer === 'object' && due.has(timer)) {
      due.delete(timer);
      mockClearTimeout(timer as NodeJS.Timeout);
    } else realClearTimeout(timer);
  }) as typeof clearTimeout;
  return {
    tick: (ms: number) => t.mock.timers.tick(ms),
    /** When the next pending timer is due; undefined when none is. */
    next(): number | undefined {
      let first: number | undefined;
      for (const at of due.values()) if (first === undefined || at < first) first = at;
      return first;
    },
  };
}

/** Virtual time for one test: mock timers on from now to the end of the test. */
export function virtualTime(t: TestContext): VirtualTime {
  let now = 0;
  const timers = mockTimers(t, () => now);
  /** Requests sent and not answered; those of them held by a virtual wait. */
  let inFlight = 0;
  let maxInFlight = 0;
  let held = 0;
  /** Bumped by every request sent or answered: the driver's sign of progress. */
  let progress = 0;

  const sleep = (ms: number) => {
    held++;
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        held--;
        resolve();
      }, ms),
    );
  };

  const turn = () => new Promise((resolve) => setImmediate(resolve));

  /** Requests waiting for a connection of their client's agent (all busy, held by virtual waits). */
  const agents: Array<{ requests: Record<string, unknown[] | undefined> }> = [];
  const queued = () => {
    let n = 0;
    for (const agent of agents) for (const queue of Object.values(agent.requests)) n += queue?.length ?? 0;
    return n;
  };

  /**
   * Until nothing real is under way: no answer on its way (every request in flight is held by a
   * virtual wait, or waits for a connection that one holds), and QUIET_TURNS turns with no
   * progress. A request on its way that makes no progress for STUCK_TURNS turns waits for
   * something the virtual time does not know of: an error, not a hang.
   */
  async function settle(): Promise<void> {
    for (let quiet = 0, stuck = 0; quiet < QUIET_TURNS; ) {
      const before = progress;
      await turn();
      // Timers due now (bottleneck starts each job on a 0 ms timeout).
      timers.tick(0);
      if (progress !== before) stuck = 0;
      else if (++stuck > STUCK_TURNS) {
        throw new Error(
          `virtual time: ${inFlight} requests in flight (${held} held, ${queued()} waiting for a connection) made no progress in ${STUCK_TURNS} turns`,
        );
      }
      if (inFlight > held + queued()) quiet = 0;
      else quiet = progress === before ? quiet + 1 : 0;
    }
  }

  const vt: VirtualTime = {
    get now() {
      return now;
    },
    clock: () => now,
    emulatorClocks: { clock: () => now, wallClock: () => WALL_START + now, sleep },
    sleep,
    watch(client) {
      const transport = (
        client as unknown as {
          session: { transport: { request: Request; agent: (typeof agents)[number] } };
        }
      ).session.transport;
      agents.push(transport.agent);
      const request = transport.request.bind(transport);
      const starts: number[] = [];
      transport.request = (options) => {
        starts.push(now);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        progress++;
        return request(options).finally(() => {
          inFlight--;
          progress++;
        });
      };
      return starts;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    onIdle: undefined,
    async run(work, limitMs = 10 * 60_000) {
      let settled = false;
      work.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (;;) {
        await settle();
        vt.onIdle?.();
        if (settled) return work;
        // Nothing more happens before the next timer: the time goes straight to it.
        const next = timers.next();
        if (next === undefined) throw new Error(`stuck at ${now} ms of virtual time: no timer pending`);
        if (next > limitMs) throw new Error(`still running after ${limitMs} ms of virtual time`);
        const step = Math.max(1, next - now);
        now += step;
        timers.tick(step);
      }
    },
  };
  return vt;
}
