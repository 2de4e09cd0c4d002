/**
 * The control plane under `/__emulator/`: no auth, no limits, no faults, not counted in the
 * API stats. reset, seed (JSON or streamed NDJSON), dump (streamed NDJSON), stats, timeline,
 * memory, config, outage (take PX down, bring it back, see whether it is down).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Answer, AnswerError, badRequest, pxError } from './http-error.js';
import { ACCOUNT_MODEL, type ModelTable, USER_MODEL } from './model.js';
import { forEachLine, writeNdjson } from './ndjson.js';
import { readBody, send } from './respond.js';
import type { Target } from './router.js';
import type { EmulatorState } from './state.js';
import { type JsonRecord, parseJsonObject, validateRecord } from './validate.js';

const SEED_JSON_LIMIT = 256 * 1024 * 1024;

/** Stores one seed record (upsert). Read-only fields (as in a dump) are ignored. */
function seedOne(state: EmulatorState, model: ModelTable, value: unknown, where: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AnswerError(badRequest(`${where}: a record must be a JSON object`));
  }
  const record: JsonRecord = { ...(value as JsonRecord) };
  for (const field of model.readOnly) delete record[field];
  delete record.deleted;
  let valid: JsonRecord;
  try {
    valid = validateRecord(model, record, 'create', {
      custom: state.config.custom[model.name],
      acceptStringTypes: true,
    });
  } catch (error) {
    if (error instanceof AnswerError) {
      const { message } = (error.answer.body as { externalapierror: { message: string } }).externalapierror;
      throw new AnswerError(badRequest(`${where}: ${message}`));
    }
    throw error;
  }
  (model === USER_MODEL ? state.store.users : state.store.accounts).put(valid, state.wallNow());
}

/**
 * The emulator process's memory (after a full GC when asked and node runs with --expose-gc),
 * plus `maxRss`: the peak resident set size of the process so far, in bytes.
 */
function memory(collect: boolean) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc) gc();
  const usage = process.memoryUsage();
  const maxRss = process.resourceUsage().maxRSS * 1024; // read after rss, so never below it
  return { ...usage, maxRss, gcRan: collect && gc !== undefined };
}

async function seed(state: EmulatorState, req: IncomingMessage, target: Target): Promise<Answer> {
  const counts = { users: 0, accounts: 0 };
  const add = (model: ModelTable, value: unknown, where: string) => {
    seedOne(state, model, value, where);
    counts[model === USER_MODEL ? 'users' : 'accounts']++;
  };
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const body = parseJsonObject(await readBody(req, SEED_JSON_LIMIT));
    for (const [list, model] of [
      ['users', USER_MODEL],
      ['accounts', ACCOUNT_MODEL],
    ] as const) {
      const records = body[list] ?? [];
      if (!Array.isArray(records)) throw new AnswerError(badRequest(`${list} must be an array`));
      for (const [i, value] of records.entries()) add(model, value, `${list}[${i}]`);
    }
  } else {
    const forced = target.query.get('type');
    await forEachLine(req as AsyncIterable<Buffer>, (line, n) => {
      let value: JsonRecord;
      try {
        value = JSON.parse(line);
      } catch {
        throw new AnswerError(badRequest(`line ${n}: malformed JSON`));
      }
      const isAccount = forced
        ? forced === 'accounts'
        : value?.identifyId === undefined && value?.id !== undefined;
      add(isAccount ? ACCOUNT_MODEL : USER_MODEL, value, `line ${n}`);
    });
  }
  return { status: 200, body: counts };
}

/** `POST /__emulator/outage` `{kind?: '503'|'reset', forSec?: n}` (body optional): PX down now. */
async function startOutage(state: EmulatorState, req: IncomingMessage): Promise<Answer> {
  const text = await readBody(req);
  const body = text.trim() === '' ? {} : parseJsonObject(text);
  const { kind, forSec } = body;
  if (kind !== undefined && kind !== '503' && kind !== 'reset')
    return badRequest(`kind must be "503" or "reset", got ${JSON.stringify(kind)}`);
  if (forSec !== undefined && !(typeof forSec === 'number' && Number.isFinite(forSec) && forSec > 0))
    return badRequest(`forSec must be a number of seconds > 0, got ${JSON.stringify(forSec)}`);
  state.startOutage(kind, forSec);
  return { status: 204 };
}

/** `GET /__emulator/outage`: whether PX is down, how, for how much longer, and the counters. */
function outageStatus(state: EmulatorState): Answer {
  const { down, kind, until } = state.outage.status();
  const { outages, requestsWhileDown: requests } = state.outage;
  const body: Record<string, unknown> = { down, kind, outages, requests };
  if (until !== undefined) body.endsInMs = Math.max(0, until - state.limiter.clock());
  return { status: 200, body };
}

function dumpItems(state: EmulatorState, target: Target): Iterable<unknown> {
  const type = target.query.get('type');
  const withDeleted = target.query.get('includeDeleted') === 'true';
  const { store } = state;
  function* records(kind: typeof store.users) {
    yield* kind.live.values();
    if (withDeleted) yield* kind.deleted.values();
  }
  if (type === 'users') return records(store.users);
  if (type === 'accounts') return records(store.accounts);
  if (type === 'events') return store.events.values();
  if (type === 'preferences') return store.preferences.values();
  throw new AnswerError(badRequest('type must be users, accounts, events or preferences'));
}

export async function handleControlRequest(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  target: Target,
): Promise<void> {
  const action = target.segments.length === 2 ? target.segments[1] : undefined;
  const method = req.method ?? 'GET';
  const allowed: Record<string, string[]> = {
    reset: ['POST'],
    seed: ['POST'],
    dump: ['GET'],
    stats: ['GET'],
    timeline: ['GET'],
    memory: ['GET'],
    config: ['PATCH'],
    outage: ['GET', 'POST', 'DELETE'],
  };
  try {
    if (action === undefined || !Object.hasOwn(allowed, action)) {
      return send(res, { status: 404, body: { errorMessage: `No control route ${req.url}` } });
    }
    if (!allowed[action]!.includes(method)) {
      return send(res, {
        ...pxError(405, `Method ${method} not allowed`),
        headers: { allow: allowed[action]!.join(', ') },
      });
    }
    switch (action) {
      case 'outage':
        if (method === 'GET') return send(res, outageStatus(state));
        if (method === 'POST') return send(res, await startOutage(state, req));
        state.outage.end();
        return send(res, { status: 204 });
      case 'reset':
        state.reset();
        return send(res, { status: 204 });
      case 'seed':
        return send(res, await seed(state, req, target));
      case 'dump':
        return await writeNdjson(res, dumpItems(state, target));
      case 'stats':
        return send(res, { status: 200, body: state.snapshot() });
      case 'timeline':
        return send(res, { status: 200, body: state.timelineSnapshot() });
      case 'memory':
        return send(res, { status: 200, body: memory(target.query.get('gc') === 'true') });
      default: {
        const changes = parseJsonObject(await readBody(req));
        try {
          state.configure(changes);
        } catch (error) {
          return send(res, badRequest(error instanceof Error ? error.message : String(error)));
        }
        return send(res, { status: 204 });
      }
    }
  } catch (error) {
    if (error instanceof AnswerError) return send(res, error.answer);
    send(res, pxError(500, error instanceof Error ? error.message : String(error)));
  }
}
