/**
 * The life of one API request, in this order: count the arrival, outage (503 or a reset
 * while PX is down), auth (401), permission (403 under `forbid`, on a real route), limits
 * (429; the simulated other client's arrivals due are replayed first), route (404/405),
 * latency, fault draw, body, handler, answer. Outage, auth, permission and limits answer at
 * once, like a gateway in front of the service, and the refused requests use no rate-limit
 * budget or quota; latency and faults only touch requests to a real route. A throttle gives
 * the request's budget back. The timeline counts each outcome in the second it happens.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Handler } from './context.js';
import { gatewayPage, serverError, throttled } from './fault-answers.js';
import { type Answer, AnswerError, badRequest, pxError } from './http-error.js';
import { accessOf, forbidden } from './permissions.js';
import { readBody, send, sendTrickled } from './respond.js';
import { decodeId, type Router, type Target } from './router.js';
import type { EmulatorState } from './state.js';

/** Drops the connection without an answer (an RST where the platform allows it). */
export function dropConnection(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

function runHandler(
  handler: Handler,
  state: EmulatorState,
  target: Target,
  rawId: string | undefined,
  body?: string,
) {
  try {
    const id = rawId === undefined ? undefined : decodeId(rawId);
    if (rawId !== undefined && id === undefined)
      return badRequest(`Malformed percent-encoding in path id ${rawId}`);
    return handler({ state, id, query: target.query, body });
  } catch (error) {
    if (error instanceof AnswerError) return error.answer;
    return pxError(500, `Emulator error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function handleApiRequest(
  state: EmulatorState,
  router: Router<Handler>,
  req: IncomingMessage,
  res: ServerResponse,
  target: Target,
  hung: Set<ServerResponse>,
): Promise<void> {
  state.stats.arrival();
  const method = req.method ?? 'GET';
  const match = router.match(method, target.segments);
  const pattern =
    match.kind === 'found' ? match.route.pattern : match.kind === 'method' ? match.pattern : '(unmatched)';
  const routeKey = `${method} ${pattern}`;
  const answer = (result: Answer): void => {
    state.stats.outcome(routeKey, result.status);
    send(res, result);
  };

  const down = state.outage.arrival();
  if (down !== undefined) {
    state.timeline.add('down');
    if (down === 'reset') {
      state.stats.outcome(routeKey, 'outageReset');
      return dropConnection(req.socket);
    }
    return answer(serverError(503));
  }

  const header = req.headers['x-aptrinsic-api-key'];
  const key = typeof header === 'string' ? header : undefined;
  if (!state.isKey(key)) return answer(pxError(401, 'Invalid or missing API key (X-APTRINSIC-API-KEY)'));
  const forbid = state.config.forbid;
  if (forbid !== false && match.kind === 'found' && accessOf(method) === forbid)
    return answer(forbidden(forbid));
  const verdict = state.checkLimits(key!);
  if (!verdict.ok) {
    state.timeline.add('rateLimited');
    const refused = pxError(429, verdict.message!);
    if (state.config.retryAfter) refused.headers = { 'retry-after': String(verdict.retryAfter) };
    return answer(refused);
  }
  if (match.kind !== 'found') state.timeline.add('admitted');
  if (match.kind === 'none') {
    if (state.config.noRouteHtml) return answer(gatewayPage(404));
    return answer({ status: 404, body: { errorMessage: `No route for ${method} ${req.url}` } });
  }
  if (match.kind === 'method') {
    return answer({
      ...pxError(405, `Method ${method} not allowed`),
      headers: { allow: match.allow.join(', ') },
    });
  }

  const delay = state.faults.delayMs();
  if (delay > 0) await state.sleep(delay);
  if (res.destroyed) {
    state.timeline.add('admitted'); // it passed the limits; the client gave up during the latency
    return;
  }
  const fault = state.faults.draw(method);
  if (fault) state.stats.fault(fault.kind);
  if (fault?.kind === 'throttle') {
    state.release(verdict.admission!);
    state.timeline.add('throttled');
    const f = state.config.faults;
    return answer(throttled(state.config.retryAfter ? (f.throttleRetryAfterSec ?? 1) : undefined));
  }
  state.timeline.add('admitted');
  if (fault) state.timeline.add('faults');
  if (fault?.kind === 'gateway403' || fault?.kind === 'gateway504')
    return answer(gatewayPage(fault.kind === 'gateway403' ? 403 : 504));
  if (fault?.kind === 'resetBefore' || fault?.kind === 'hang') {
    state.stats.outcome(routeKey, fault.kind);
    if (fault.kind === 'resetBefore') dropConnection(req.socket);
    else {
      hung.add(res);
      res.once('close', () => hung.delete(res));
    }
    return;
  }
  if (fault?.kind === 'serverError') return answer(serverError(fault.status!));

  let body: string | undefined;
  if (method === 'POST' || method === 'PUT' || method === 'DELETE') {
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof AnswerError) return answer(error.answer);
      return; // the client went away mid-body
    }
  }
  const result = runHandler(match.handler, state, target, match.rawId, body);
  if (fault?.kind === 'resetAfter') {
    state.stats.outcome(routeKey, 'resetAfter');
    dropConnection(req.socket);
    return;
  }
  if (fault?.kind === 'trickle') {
    state.stats.outcome(routeKey, result.status);
    const f = state.config.faults;
    await sendTrickled(res, result, f.trickleChunkBytes ?? 16, f.trickleChunkDelayMs ?? 50);
    return;
  }
  answer(result);
}
