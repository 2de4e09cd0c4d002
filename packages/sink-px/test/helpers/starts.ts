/** When a client's requests start, on the client's own clock, and how many fall in one window. */
import type { PxClient } from '../../src/index.js';

type Request = (options: unknown) => Promise<unknown>;

/**
 * Records the moment each request of `client` is handed to its transport (`performance.now()`),
 * which is when the limiter let it start. Measured here, the figures do not depend on how fast
 * the bytes travel or how busy the server's event loop is.
 */
export function recordStarts(client: PxClient): number[] {
  const transport = (client as unknown as { session: { transport: { request: Request } } }).session.transport;
  const starts: number[] = [];
  const request = transport.request.bind(transport);
  transport.request = (options) => {
    starts.push(performance.now());
    return request(options);
  };
  return starts;
}

/** The most times (sorted) within any `windowMs` of each other. */
export function mostInWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
