/**
 * What one row takes, per record type: the requests, the retries, and the one result the row
 * ends with. Fatal errors (401/403, daily quota) and a closed client are thrown; everything
 * else ends as a `SendResult`.
 */
import type { RecordType } from '@pxstream/config';
import type { JsonObject } from '@pxstream/core';
import { Attempts } from './attempts.js';
import { errorBodyMessage, isDuplicateMessage } from './error-body.js';
import {
  COLLECTION,
  EVENTS_PATH,
  isRecordModel,
  KEY_FIELD,
  needsBodyId,
  preferencesPath,
  type RecordModel,
  recordPath,
  updatePath,
} from './paths.js';
import { holdsValues, parseJson } from './record-match.js';
import type { SendResult } from './result.js';
import { backoffDelay } from './retry.js';
import type { RequestSpec, RequestTicket, Session } from './session.js';
import type { WriteOrder } from './write-order.js';

export type { SendOutcome, SendResult } from './result.js';

/** What to send: a row envelope or just its key and body. */
export interface SendInput {
  key?: string | undefined;
  body?: JsonObject | undefined;
}

export interface SendOptions {
  /** USER/ACCOUNT: create (POST) the record when the update finds none. */
  insertMissing?: boolean;
  /** Kept up to date with how far the row's current request got (see `RequestTicket`). */
  ticket?: RequestTicket;
  /**
   * USER/ACCOUNT with insertMissing: the caller knows PX holds the record (an earlier row of
   * the id just wrote it), so the row's first write is a `PUT`.
   */
  knownToExist?: boolean;
  /**
   * USER/ACCOUNT with insertMissing: which write goes first (see `WriteOrder`). Without one,
   * `PUT` first.
   */
  writeOrder?: WriteOrder;
}

const isSuccess = (status: number) => status >= 200 && status < 300;
const NO_MATCH = 'no match';

/** Sends one row of `type`. The single code path of both `PxClient.send` and the sink. */
export async function sendRow(
  session: Session,
  type: RecordType,
  input: SendInput,
  options: SendOptions = {},
): Promise<SendResult> {
  const run = new Attempts(session, options.ticket);
  const body = input.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return run.reject('PX_INVALID_ROW', 'the row has no request body');
  }
  if (type === 'CUSTOM_EVENT') return sendEvent(run, body);
  if (type === 'USER_PREFERENCES') {
    const key = input.key;
    if (typeof key !== 'string' || key === '')
      return run.reject('PX_INVALID_ROW', 'the row has no identifyId');
    return sendPreferences(run, key, body);
  }
  if (!isRecordModel(type)) return run.reject('PX_INVALID_ROW', `unknown record type ${String(type)}`);
  const keyField = KEY_FIELD[type];
  const key = input.key ?? body[keyField];
  if (typeof key !== 'string' || key === '')
    return run.reject('PX_INVALID_ROW', `the row has no ${keyField}`);
  if (options.insertMissing !== true) return updateRecord(run, type, key, body);
  return upsertRecord(run, type, key, body, options);
}

/** The requests of one USER/ACCOUNT row: the update, and the create it may need. */
interface RecordWrites {
  put: RequestSpec;
  post: RequestSpec;
  get: RequestSpec;
  /** The body of a create: the row's, with its key. */
  body: JsonObject;
}

function recordWrites(model: RecordModel, key: string, body: JsonObject): RecordWrites {
  const keyField = KEY_FIELD[model];
  // The key travels in the body for the `/update` route and for a create.
  const withKey = body[keyField] === undefined ? { ...body, [keyField]: key } : body;
  return {
    put: { method: 'PUT', path: updatePath(model, key), body: needsBodyId(key) ? withKey : body },
    post: { method: 'POST', path: COLLECTION[model], body: withKey },
    get: { method: 'GET', path: recordPath(model, key) },
    body: withKey,
  };
}

/** USER / ACCOUNT in update mode, as Gainsight's loader: `PUT` (204 updated; 404 skipped). */
async function updateRecord(
  run: Attempts,
  model: RecordModel,
  key: string,
  body: JsonObject,
): Promise<SendResult> {
  const { put } = recordWrites(model, key, body);
  const updated = await run.perform(put, 'idempotent');
  if (updated.kind !== 'answer') return run.exhausted();
  if (isSuccess(updated.status)) return run.ok('updated', updated.status);
  if (updated.status !== 404) return run.rejectAnswer(updated);
  return run.ok('skipped', 404, NO_MATCH);
}

/**
 * USER / ACCOUNT in insert-missing mode: one write per row when the first one is right. `PUT`
 * first falls back on 404 to a `POST`; `POST` first falls back on a 400 to a `PUT` (see
 * `createRecord`). The row then tells the order how it ended.
 */
async function upsertRecord(
  run: Attempts,
  model: RecordModel,
  key: string,
  body: JsonObject,
  options: SendOptions,
): Promise<SendResult> {
  const writes = recordWrites(model, key, body);
  const pending = options.writeOrder?.choose(key, options.knownToExist === true);
  const choice = pending instanceof Promise ? await pending : pending;
  let result: SendResult | undefined;
  try {
    if (choice?.first === 'POST') {
      run.session.counters.postFirst++;
      result = await createRecord(run, writes, true);
    } else {
      run.session.counters.putFirst++;
      result = await updateOrCreate(run, writes);
    }
    return result;
  } finally {
    choice?.learned(result?.outcome);
  }
}

/** `PUT` first: 204 updated; 404 (PX lacks the record) a `POST`, 201 inserted. */
async function updateOrCreate(run: Attempts, writes: RecordWrites): Promise<SendResult> {
  const updated = await run.perform(writes.put, 'idempotent');
  if (updated.kind !== 'answer') return run.exhausted();
  if (isSuccess(updated.status)) return run.ok('updated', updated.status);
  if (updated.status !== 404) return run.rejectAnswer(updated);
  run.session.counters.fallbacks++;
  return createRecord(run, writes, false);
}

/**
 * `POST`, with the two ways a create can be ambiguous:
 * - the answer was lost (reset or timeout after sending): read the record back (`GET`) before
 *   anything else; 404 means it was not created (retry), a record means it exists;
 * - 400 "duplicate": someone created the record since our PUT, and one more `PUT` updates it;
 *   but after an ambiguous attempt of ours (lost answer, 500/502/504) it may be ours: read back.
 * A record that exists after an attempt of ours is ours (inserted) when it holds the row's
 * values; otherwise someone else created it meanwhile and one more `PUT` applies the row.
 *
 * `first`: the `POST` is the row's first write (the order guessed PX lacks the record). Then
 * any 400 falls back to a `PUT`, not only a "duplicate": a create may refuse a body that an
 * update takes (a partial row without a field only a create requires, such as an account's
 * `name`), and PX documents no order between its checks. A `PUT` that finds no record (404)
 * says the 400 was the row's own: the row is rejected with the `POST`'s answer.
 */
async function createRecord(run: Attempts, writes: RecordWrites, first: boolean): Promise<SendResult> {
  const { post, get, put, body } = writes;
  run.next();
  for (;;) {
    const created = await run.perform(post, 'create');
    if (created.kind === 'exhausted') return run.exhausted();
    if (created.kind === 'lost') {
      run.createMayExist = true;
      const retry = run.fail(created.failure);
      const check = await run.readBack(get);
      if (check.kind !== 'answer') return run.exhausted();
      if (check.status !== 404) return settleExisting(run, check, body, put);
      if (!retry) return run.exhausted();
      run.delay = backoffDelay(run.failures, run.session.retry);
      continue;
    }
    if (isSuccess(created.status)) return run.ok('inserted', created.status);
    if (created.status === 400 && (first || isDuplicateMessage(errorBodyMessage(400, created.text)))) {
      const refused = first ? created : undefined;
      if (!run.createMayExist) {
        if (first) run.session.counters.fallbacks++;
        return updateAgain(run, put, refused);
      }
      const check = await run.readBack(get);
      if (check.kind !== 'answer') return run.exhausted();
      if (refused && check.status === 404) return run.rejectAnswer(refused);
      return settleExisting(run, check, body, put);
    }
    return run.rejectAnswer(created);
  }
}

/** The read-back after a create of ours may have gone through: ours if it holds the row's values. */
function settleExisting(
  run: Attempts,
  check: { status: number; text: string },
  body: JsonObject,
  put: RequestSpec,
): Promise<SendResult> | SendResult {
  if (!isSuccess(check.status)) return run.rejectAnswer(check);
  if (holdsValues(parseJson(check.text), body)) return run.ok('inserted', check.status);
  return updateAgain(run, put);
}

/**
 * The record exists but is not (surely) ours: one more `PUT` applies the row. `refused`: the
 * 400 of a first `POST`, the row's answer when the `PUT` finds no record either.
 */
async function updateAgain(
  run: Attempts,
  put: RequestSpec,
  refused?: { status: number; text: string },
): Promise<SendResult> {
  run.next();
  const again = await run.perform(put, 'idempotent');
  if (again.kind !== 'answer') return run.exhausted();
  if (isSuccess(again.status)) return run.ok('updated', again.status);
  if (refused && again.status === 404) return run.rejectAnswer(refused);
  return run.rejectAnswer(again);
}

/**
 * CUSTOM_EVENT: always a `POST`. PX has no idempotency key for events and no way to read one
 * back, so a retry is only safe when PX surely did not process the first try: the connection
 * never came up, or PX answered 429/503. A lost answer after sending, or a 500/502/504, may
 * hide a recorded event: the row is rejected as `PX_EVENT_MAYBE_RECORDED` instead of risking
 * a duplicate.
 */
async function sendEvent(run: Attempts, body: JsonObject): Promise<SendResult> {
  const sent = await run.perform({ method: 'POST', path: EVENTS_PATH, body }, 'event');
  if (sent.kind === 'exhausted') return run.exhausted();
  if (sent.kind === 'lost') {
    const { failure } = sent;
    const what = failure.kind === 'status' ? `HTTP ${failure.status} ${failure.message}` : failure.message;
    return run.reject(
      'PX_EVENT_MAYBE_RECORDED',
      `the event may have been recorded by PX (${what}); not retried, since a retry could record it twice`,
      failure.kind === 'status' ? failure.status : undefined,
    );
  }
  if (isSuccess(sent.status)) return run.ok('inserted', sent.status);
  return run.rejectAnswer(sent);
}

/** USER_PREFERENCES: `PUT` by identifyId; 204 updated, 404 (no such user) skipped. */
async function sendPreferences(run: Attempts, identifyId: string, body: JsonObject): Promise<SendResult> {
  const put = await run.perform({ method: 'PUT', path: preferencesPath(identifyId), body }, 'idempotent');
  if (put.kind !== 'answer') return run.exhausted();
  if (isSuccess(put.status)) return run.ok('updated', put.status);
  if (put.status === 404) return run.ok('skipped', 404, NO_MATCH);
  return run.rejectAnswer(put);
}
