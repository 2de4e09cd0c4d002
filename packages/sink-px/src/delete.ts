/**
 * Deleting one record (px-api.md "Deleting"): a user soft or hard, an account (PX then deletes
 * its users too). A 404 is PX saying the record is not there: already gone, not an error. A
 * `DELETE` is idempotent, so a lost answer is retried as a `PUT` is; its retry may then find the
 * record gone (404), which ends the same way: the record is not in PX.
 */
import { Attempts } from './attempts.js';
import { COLLECTION, encodeSegment, type RecordModel } from './paths.js';
import type { SendRejected, SendResult } from './result.js';
import type { RequestSpec, RequestTicket, Session } from './session.js';

export interface DeleteOptions {
  /**
   * Users only: `hardDelete=true`, so that a user created again within PX's 7 days does not come
   * back with its history. Default false (PX's soft delete). Accounts have no hard delete.
   */
  hard?: boolean | undefined;
  /** Kept up to date with how far the request got (see `RequestTicket`). */
  ticket?: RequestTicket | undefined;
}

/** `deleted`: PX deleted the record (2xx); `already-gone`: PX has no such record (404). */
export type DeleteOutcome = 'deleted' | 'already-gone';

/** How one delete ended. */
export type DeleteResult =
  | {
      readonly outcome: DeleteOutcome;
      /** The status of the answer that settled it: 200 or 204 deleted, 404 already gone. */
      readonly status: number;
      /** HTTP requests made for it. */
      readonly attempts: number;
    }
  | SendRejected;

/** The reasons a delete's row outcome carries in a sink (see `asSendResult`). */
export const DELETED_REASON = 'deleted';
export const ALREADY_GONE_REASON = 'already gone';

/**
 * True when `DELETE /users/{id}` cannot name this user reliably, so the body variant
 * (`DELETE /users/delete`, `{identifyId}`) is used: `delete` is that literal route itself, and
 * `.` / `..` are dot segments that a server, proxy or URL library may normalise away, escaped
 * or not. Every other id goes by path, percent-encoded (`encodeSegment`).
 */
export function needsDeleteBodyId(id: string): boolean {
  return id === 'delete' || id === '.' || id === '..';
}

/**
 * The request deleting `id`: users by path (or by body, see `needsDeleteBodyId`) with
 * `hardDelete` said either way, accounts by path with no `hardDelete` (PX has none for them).
 */
export function deleteRequest(model: RecordModel, id: string, hard: boolean): RequestSpec {
  if (model === 'ACCOUNT') return { method: 'DELETE', path: `${COLLECTION.ACCOUNT}/${encodeSegment(id)}` };
  const query = `?hardDelete=${hard ? 'true' : 'false'}`;
  if (needsDeleteBodyId(id)) {
    return { method: 'DELETE', path: `${COLLECTION.USER}/delete${query}`, body: { identifyId: id } };
  }
  return { method: 'DELETE', path: `${COLLECTION.USER}/${encodeSegment(id)}${query}` };
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/**
 * Deletes one record, with the client's limiter, retries and waits for PX. Fatal answers
 * (401/403, a wrong base URL) and a stopped client are thrown, as for a write.
 */
export async function deleteRecord(
  session: Session,
  model: RecordModel,
  id: string,
  options: DeleteOptions = {},
): Promise<DeleteResult> {
  const run = new Attempts(session, options.ticket);
  if (typeof id !== 'string' || id === '') {
    return run.reject('PX_INVALID_ROW', `the row has no ${model === 'USER' ? 'identifyId' : 'id'}`);
  }
  const answer = await run.perform(deleteRequest(model, id, options.hard === true), 'idempotent');
  if (answer.kind !== 'answer') return run.exhausted();
  // A 404 reaching here is PX's record "not found" (any other 404 stopped the session).
  if (answer.status === 404) return { outcome: 'already-gone', status: 404, attempts: run.requests };
  if (isSuccess(answer.status)) return { outcome: 'deleted', status: answer.status, attempts: run.requests };
  return run.rejectAnswer(answer);
}

/**
 * A delete's result in a sink's terms (rows end `updated`, `inserted`, `skipped` or rejected):
 * deleted is PX changed (`updated`, reason `deleted`), already gone is nothing to do (`skipped`,
 * reason `already gone`). The run counts them from there.
 */
export function asSendResult(result: DeleteResult): SendResult {
  if (result.outcome === 'rejected') return result;
  return result.outcome === 'deleted'
    ? { outcome: 'updated', status: result.status, reason: DELETED_REASON, attempts: result.attempts }
    : { outcome: 'skipped', status: result.status, reason: ALREADY_GONE_REASON, attempts: result.attempts };
}
