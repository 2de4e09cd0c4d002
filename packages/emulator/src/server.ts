/** `startEmulator`: the HTTP server on loopback, wiring the API and the control plane. */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiRequest } from './api-request.js';
import { EmulatorOptionError, resolveOptions } from './config.js';
import { handleControlRequest } from './control.js';
import type { EmulatorHandle, EmulatorOptions } from './options.js';
import { send } from './respond.js';
import { parseTarget } from './router.js';
import { apiRouter } from './routes.js';
import { type Clocks, EmulatorState } from './state.js';

/**
 * `clocks` (tests only): the monotonic and wall clocks of the limits, stats and timeline, and
 * the latency's wait, in place of the real ones (`performance.now()`, `Date.now()`, a timer),
 * so that a test over sockets can set the time instead of waiting for it. Left out: the real ones.
 */
export async function startEmulator(
  options: EmulatorOptions = {},
  clocks: Partial<Clocks> = {},
): Promise<EmulatorHandle> {
  const config = resolveOptions(options);
  const state = new EmulatorState(config, clocks);
  const router = apiRouter();
  const hung = new Set<ServerResponse>();

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const target = parseTarget(req.url ?? '/');
    const work =
      target.segments[0] === '__emulator'
        ? handleControlRequest(state, req, res, target)
        : handleApiRequest(state, router, req, res, target, hung);
    work.catch((error: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { errorMessage: String(error) } });
      else res.destroy();
    });
  });
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    baseUrl: `${url}/v1`,
    apiKey: config.apiKeys[0]!,
    stats: () => state.snapshot(),
    timeline: () => state.timelineSnapshot(),
    configure: (changes) => state.configure(changes),
    startOutage(outage = {}) {
      const { kind, forSec } = outage;
      if (kind !== undefined && kind !== '503' && kind !== 'reset')
        throw new EmulatorOptionError("startOutage: kind must be '503' or 'reset'");
      if (forSec !== undefined && !(Number.isFinite(forSec) && forSec > 0))
        throw new EmulatorOptionError('startOutage: forSec must be > 0 seconds');
      state.startOutage(kind, forSec);
    },
    endOutage: () => state.outage.end(),
    reset: () => state.reset(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const res of hung) res.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
