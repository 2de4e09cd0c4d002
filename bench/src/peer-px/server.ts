/**
 * A PX-compatible server written for the bench from px-api.md alone (it imports nothing of
 * `@pxstream/emulator`), so that pxstream's figures can be checked against a PX built by someone
 * else's reading of the contract. Plain `node:http`. What it does, in the order a request meets it:
 *
 * 0. an outage (`outage.ts`): while down, a 503 HTML page or a reset, before anything else;
 * 1. `X-APTRINSIC-API-KEY` checked (401 otherwise);
 * 2. the body read, then the latency (the backend's time), plus a uniform jitter if asked;
 * 3. one seeded draw: a random throttle (429 `Rate limit exceeded`, `Retry-After`) uses no budget;
 * 4. the per-second limit of the key (`limits.ts`), checked at the backend after the latency, so
 *    its 429 comes back a latency late, as from a backend limiter (the emulator answers at once);
 *    then the daily quota (`quota.ts`): PX's plain 429 `Rate limit exceeded`, no `Retry-After`;
 * 5. the other faults of the draw: 500/502/503 (nothing applied), a reset before anything is
 *    applied, or a reset after the write (the answer is lost);
 * 6. the route: users and accounts (create, update by path or by body id, read, delete by path
 *    or, for users, by body id, lists with filters and a scroll: `search.ts`), the attribute
 *    metadata, 404 with PX's `externalapierror` body for a missing record.
 *
 * Control plane under `/_peer/` (no key, no limit, no fault): `seed`, `records`, `stats`,
 * `timeline`, `outage` (POST `?for=<s>&kind=503|reset` takes the peer down, DELETE brings it
 * back, GET tells).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { xorshift32 } from '../prng.js';
import { createLimit, type Limit, type Shape, startOtherClient, Timeline } from './limits.js';
import { DOWN_PAGE, type OutageKind, type OutagePlan, PeerOutage } from './outage.js';
import { createDailyQuota, type QuotaDays } from './quota.js';
import { BadBody, Duplicate, type Json, KEY_FIELD, type Kind, NotFound, Records } from './records.js';
import { BadSearch, Scrolls } from './search.js';

export interface PeerOptions {
  key: string;
  perSecond: number;
  shape: Shape;
  burst?: number;
  other?: number;
  latencyMs?: number;
  /** Uniform random extra latency in [0, jitterMs), from its own seeded generator. */
  jitterMs?: number;
  throttle?: number;
  throttleRetryAfterSec?: number;
  serverError?: number;
  resetBefore?: number;
  resetAfter?: number;
  seed?: number;
  /** Requests a day (px-api.md: about 1,000,000); none when left out. */
  dailyQuota?: number;
  /** Default `fixed` days from the start; `rolling`: any `dayLengthSec` window. */
  quotaDays?: QuotaDays;
  /** A compressed day, seconds (default 86,400). */
  dayLengthSec?: number;
  /** Down once: after `afterRequests` requests, for `forSec` seconds, 503 or resets. */
  outage?: OutagePlan;
  /** A scroll unused this long is gone (default 120 s). */
  scrollTtlSec?: number;
  /** Tests: the monotonic ms of limits, days, outages and scrolls (default `performance.now`). */
  clock?: () => number;
  /** Tests: the wall-clock ms of record dates and deletes (default `Date.now`). */
  wallClock?: () => number;
}

const pxError = (status: string, message: string) =>
  JSON.stringify({ externalapierror: { status, message, debugMessage: null, subErrors: null } });

const METADATA: Record<'user' | 'account', Json[]> = {
  user: [
    { name: 'Identify ID', apiName: 'id', type: 'STRING', origin: 'DEFAULT', state: 'ENABLED' },
    { name: 'Email', apiName: 'email', type: 'STRING', origin: 'DEFAULT', state: 'ENABLED' },
    { name: 'Score', apiName: 'score', type: 'NUMBER', origin: 'DEFAULT', state: 'ENABLED' },
    { name: 'Sign Up Date', apiName: 'signUpDate', type: 'DATE_TIME', origin: 'DEFAULT', state: 'ENABLED' },
    { name: 'City', apiName: 'city', type: 'STRING', origin: 'DEFAULT', state: 'ENABLED' },
    { name: 'Plan', apiName: 'plan', type: 'STRING', origin: 'CUSTOM', state: 'ENABLED' },
  ],
  account: [
    { name: 'Account ID', apiName: 'id', type: 'STRING', origin: 'DEFAULT', state: 'ENABLED' },
    { name: 'Name', apiName: 'name', type: 'STRING', origin: 'DEFAULT', state: 'ENABLED' },
    { name: 'Tier', apiName: 'tier', type: 'STRING', origin: 'CUSTOM', state: 'ENABLED' },
  ],
};

export interface Peer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startPeer(options: PeerOptions, port = 0): Promise<Peer> {
  const now = options.clock ?? (() => performance.now());
  const origin = now();
  const startedAt = Date.now();
  const records = new Records(options.wallClock);
  const quota =
    options.dailyQuota === undefined
      ? undefined
      : createDailyQuota(options.dailyQuota, options.quotaDays, options.dayLengthSec, origin);
  const outage = new PeerOutage(options.outage, now);
  const scrolls = new Scrolls(options.scrollTtlSec ?? 120, now);
  const limit: Limit = createLimit(options.shape, options.perSecond, options.burst);
  const timeline = new Timeline(origin);
  // The same seed and request order give the same faults (a seed of 0 draws as 7).
  const draw = xorshift32((options.seed ?? 7) >>> 0 || 7);
  // Latency jitter on a generator of its own: turning it on leaves the faults drawn unchanged.
  const jitter = xorshift32(((options.seed ?? 7) ^ 0x5bd1e995) >>> 0 || 7);
  const stats = { requests: 0, rateLimited: 0, throttled: 0, admitted: 0, faults: 0, quotaRefused: 0 };
  const stopOther = options.other ? startOtherClient(options.other, now, limit, timeline) : () => {};

  const send = (
    res: ServerResponse,
    status: number,
    body?: string,
    headers: Record<string, string> = {},
  ): undefined => {
    if (body === undefined) res.writeHead(status, headers).end();
    else res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    return undefined;
  };

  async function api(req: IncomingMessage, res: ServerResponse, text: string): Promise<void> {
    stats.requests++;
    const down = outage.arrive();
    if (down !== undefined) {
      timeline.count(now(), 'down');
      if (down === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      res.writeHead(503, { 'content-type': 'text/html' }).end(DOWN_PAGE);
      return;
    }
    if (req.headers['x-aptrinsic-api-key'] !== options.key) {
      return send(res, 401, JSON.stringify({ errorMessage: 'Unauthorized' }));
    }
    const delay = (options.latencyMs ?? 0) + (options.jitterMs ? jitter() * options.jitterMs : 0);
    if (delay > 0) await sleep(delay);
    const roll = draw();
    let edge = options.throttle ?? 0;
    if (roll < edge) {
      stats.rateLimited++;
      stats.throttled++;
      timeline.count(now(), 'throttled');
      const after = String(options.throttleRetryAfterSec ?? 1);
      return send(res, 429, pxError('TOO_MANY_REQUESTS', 'Rate limit exceeded'), { 'retry-after': after });
    }
    const wait = limit.take(now());
    if (wait > 0) {
      stats.rateLimited++;
      timeline.count(now(), 'limited');
      const after = String(Math.max(1, Math.ceil(wait)));
      return send(res, 429, pxError('TOO_MANY_REQUESTS', 'Rate limit exceeded'), { 'retry-after': after });
    }
    if (quota && !quota.take(now())) {
      stats.rateLimited++;
      stats.quotaRefused++;
      timeline.count(now(), 'limited');
      return send(res, 429, pxError('TOO_MANY_REQUESTS', 'Rate limit exceeded'));
    }
    stats.admitted++;
    timeline.count(now(), 'admitted');
    if (roll < (edge += options.serverError ?? 0)) {
      stats.faults++;
      timeline.count(now(), 'faults');
      const status = [500, 502, 503][Math.floor((roll * 1e6) % 3)]!;
      return send(res, status, pxError('INTERNAL_SERVER_ERROR', 'Something went wrong'));
    }
    if (roll < (edge += options.resetBefore ?? 0)) {
      stats.faults++;
      timeline.count(now(), 'faults');
      req.socket.resetAndDestroy();
      return;
    }
    const lost = roll < edge + (options.resetAfter ?? 0);
    const answer = route(req.method ?? 'GET', req.url ?? '/', text);
    if (lost) {
      stats.faults++;
      timeline.count(now(), 'faults');
      req.socket.resetAndDestroy();
      return;
    }
    send(res, answer.status, answer.body);
  }

  function route(method: string, target: string, text: string): { status: number; body?: string } {
    const path = target.split('?')[0] ?? '';
    const query = new URLSearchParams(target.includes('?') ? target.slice(target.indexOf('?') + 1) : '');
    const parts = path.split('/');
    // ['', 'v1', 'users', '{id}']
    if (parts[1] !== 'v1')
      return { status: 404, body: JSON.stringify({ errorMessage: `No route for ${path}` }) };
    if (method === 'GET' && parts[2] === 'admin' && parts[3] === 'model' && parts[5] === 'attributes') {
      const model = parts[4] === 'account' ? 'account' : parts[4] === 'user' ? 'user' : undefined;
      if (model && parts.length === 6) return { status: 200, body: JSON.stringify(METADATA[model]) };
    }
    const kind: Kind | undefined =
      parts[2] === 'users' ? 'users' : parts[2] === 'accounts' ? 'accounts' : undefined;
    if (!kind || parts.length > 4)
      return { status: 404, body: JSON.stringify({ errorMessage: `No route for ${path}` }) };
    const noun = kind === 'users' ? 'User' : 'Account';
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      return { status: 400, body: pxError('BAD_REQUEST', 'Malformed JSON request') };
    }
    let id: string | undefined;
    if (parts.length === 4) {
      try {
        id = decodeURIComponent(parts[3]!);
      } catch {
        return { status: 400, body: pxError('BAD_REQUEST', 'Malformed id in the path') };
      }
    }
    try {
      if (method === 'POST' && id === undefined) {
        return { status: 201, body: JSON.stringify(records.create(kind, body)) };
      }
      if (method === 'PUT' && id !== undefined) {
        const target = parts[3] === 'update' ? (body as Json | undefined)?.[KEY_FIELD[kind]] : id;
        if (typeof target !== 'string') return { status: 400, body: pxError('BAD_REQUEST', 'No id') };
        records.update(kind, target, body);
        return { status: 204 };
      }
      if (method === 'GET' && id !== undefined) {
        const record = records.get(kind, id);
        if (record) return { status: 200, body: JSON.stringify(record) };
        throw new NotFound(id);
      }
      if (method === 'GET') {
        const { page, totalHits, scrollId } = scrolls.page(() => records.live(kind), query);
        return { status: 200, body: JSON.stringify({ [kind]: page, totalHits, scrollId }) };
      }
      if (method === 'DELETE' && id !== undefined) {
        // `DELETE /v1/users/delete` carries the id in its body (px-api.md: for ids a path cannot carry).
        const byBody = kind === 'users' && parts[3] === 'delete';
        const target = byBody ? (body as Json | undefined)?.identifyId : id;
        if (typeof target !== 'string' || target === '')
          return { status: 400, body: pxError('BAD_REQUEST', 'identifyId is required') };
        records.delete(kind, target, kind === 'users' && query.get('hardDelete') === 'true');
        return { status: 200 };
      }
    } catch (error) {
      if (error instanceof NotFound) {
        return {
          status: 404,
          body: pxError('NOT_FOUND', `${noun} was not found for parameters {id=${error.message}}`),
        };
      }
      if (error instanceof Duplicate || error instanceof BadBody || error instanceof BadSearch) {
        return { status: 400, body: pxError('BAD_REQUEST', error.message) };
      }
      throw error;
    }
    return { status: 405, body: JSON.stringify({ errorMessage: `${method} not allowed on ${path}` }) };
  }

  function control(req: IncomingMessage, res: ServerResponse, text: string): undefined {
    const url = new URL(req.url ?? '/', 'http://peer');
    const kind = url.searchParams.get('type') === 'accounts' ? 'accounts' : 'users';
    if (url.pathname === '/_peer/seed' && req.method === 'POST') {
      const body = JSON.parse(text) as { users?: unknown[]; accounts?: unknown[] };
      const seeded = {
        users: records.seed('users', body.users ?? []),
        accounts: records.seed('accounts', body.accounts ?? []),
      };
      return send(res, 200, JSON.stringify(seeded));
    }
    if (url.pathname === '/_peer/records') return send(res, 200, JSON.stringify(records.all(kind)));
    if (url.pathname === '/_peer/stats') {
      const quotaUsed = quota?.used(now());
      const down = { down: outage.isDown(), outages: outage.outages, refused: outage.refused };
      return send(
        res,
        200,
        JSON.stringify({
          ...stats,
          creates: records.creates,
          deletes: records.deletes,
          quotaUsed,
          outage: down,
        }),
      );
    }
    if (url.pathname === '/_peer/outage') {
      if (req.method === 'DELETE') outage.end();
      else if (req.method === 'POST') {
        const kind = (url.searchParams.get('kind') ?? '503') as OutageKind;
        const seconds = url.searchParams.get('for');
        if (kind !== '503' && kind !== 'reset')
          return send(res, 400, JSON.stringify({ errorMessage: 'kind: 503 or reset' }));
        outage.begin(kind, seconds === null ? undefined : Number(seconds));
      }
      return send(
        res,
        200,
        JSON.stringify({ down: outage.isDown(), outages: outage.outages, refused: outage.refused }),
      );
    }
    if (url.pathname === '/_peer/timeline') {
      return send(res, 200, JSON.stringify({ startedAt, seconds: timeline.seconds }));
    }
    return send(res, 404, JSON.stringify({ errorMessage: 'unknown control request' }));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const work = req.url?.startsWith('/_peer/')
        ? Promise.resolve().then(() => control(req, res, text))
        : api(req, res, text);
      work.catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, JSON.stringify({ errorMessage: String(error) }));
      });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        stopOther();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
