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
  return sendRecord(run, type, key, body, options.insertMissing === true);
}

/**
 * USER / ACCOUNT, as Gainsight's loader: `PUT` (204 updated; 404 skipped, or in insert-missing
 * mode a `POST`, 201 inserted).
 */
async function sendRecord(
  run: Attempts,
  model: RecordModel,
  key: string,
  body: JsonObject,
  insertMissing: boolean,
): Promise<SendResult> {
  const keyField = KEY_FIELD[model];
  // The key travels in the body for the `/update` route and for a create.
  const withKey = body[keyField] === undefined ? { ...body, [keyField]: key } : body;
  const put: RequestSpec = {
    method: 'PUT',
    path: updatePath(model, key),
    body: needsBodyId(key) ? withKey : body,
  };
  const updated = await run.perform(put, 'idempotent');
  if (updated.kind !== 'answer') return run.exhausted();
  if (isSuccess(updated.status)) return run.ok('updated', updated.status);
  if (updated.status !== 404) return run.rejectAnswer(updated);
  if (!insertMissing) return run.ok('skipped', 404, NO_MATCH);
  return createRecord(run, model, key, withKey, put);
}

/**
 * `POST`, with the two ways a create can be ambiguous:
 * - the answer was lost (reset or timeout after sending): read the record back (`GET`) before
 *   anything else; 404 means it was not created (retry), a record means it exists;
 * - 400 "duplicate": someone created the record since our PUT, and one more `PUT` updates it;
 *   but after an ambiguous attempt of ours (lost answer, 500/502/504) it may be ours: read back.
 * A record that exists after an attempt of ours is ours (inserted) when it holds the row's
 * values; otherwise someone else created it meanwhile and one more `PUT` applies the row.
 */
async function createRecord(
  run: Attempts,
  model: RecordModel,
  key: string,
  body: JsonObject,
  put: RequestSpec,
): Promise<SendResult> {
  const post: RequestSpec = { method: 'POST', path: COLLECTION[model], body };
  const get: RequestSpec = { method: 'GET', path: recordPath(model, key) };
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
    if (created.status === 400 && isDuplicateMessage(errorBodyMessage(400, created.text))) {
      if (!run.createMayExist) return updateAgain(run, put);
      const check = await run.readBack(get);
      if (check.kind !== 'answer') return run.exhausted();
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

/** The record exists but is not (surely) ours: one more `PUT` applies the row. */
async function updateAgain(run: Attempts, put: RequestSpec): Promise<SendResult> {
  run.next();
  const again = await run.perform(put, 'idempotent');
  if (again.kind !== 'answer') return run.exhausted();
  if (isSuccess(again.status)) return run.ok('updated', again.status);
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
