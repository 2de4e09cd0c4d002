/**
 * The plain async API: metadata, reading a record, sending one row. The sink is a thin
 * Writable over the same `send`.
 */
import type { AttributeMetadata, RecordType } from '@pxstream/config';
import type { JsonObject } from '@pxstream/core';
import { Attempts, type Failure, type Mode } from './attempts.js';
import { asSendResult, type DeleteOptions, type DeleteResult, deleteRecord } from './delete.js';
import { httpCode, invalidOption, sinkError } from './errors.js';
import { checkListQuery, type ListPage, type ListQuery, parseListPage } from './list.js';
import { type PxClientOptions, resolveClientOptions } from './options.js';
import { attributesPath, listPath, type RecordModel, recordPath } from './paths.js';
import { parseJson } from './record-match.js';
import { type SendInput, type SendOptions, type SendResult, sendRow } from './send.js';
import { type RequestSpec, Session } from './session.js';
import type { PxSinkStats } from './stats.js';
import { checkKnownId, WriteOrder } from './write-order.js';

export type { AttributeMetadata };

export interface PxClient {
  /** The base URL requests go to (no trailing slash). */
  readonly baseUrl: string;
  /**
   * `GET /admin/model/{model}/attributes`. Throws `PxStreamError` with `status` on an HTTP
   * error (`PX_AUTH_FAILED`, fatal, on 401/403).
   */
  getAttributeMetadata(model: 'user' | 'account'): Promise<AttributeMetadata[]>;
  /** `GET /users/{id}` or `/accounts/{id}`: the record, or `undefined` on 404. */
  getRecord(type: RecordModel, id: string): Promise<JsonObject | undefined>;
  /**
   * `GET /users` or `/accounts`: one page of a list (px-api.md "Reading records back"), the
   * first of a scroll or, with `scrollId`, the next. Throws `PX_HTTP_<status>` on any answer but
   * 200 (a bad filter, an expired scroll), `PX_INVALID_RESPONSE` on a body that is not a page.
   */
  listPage(type: RecordModel, query: ListQuery): Promise<ListPage>;
  /**
   * Sends one row (`row.key`, `row.body`, as the mapper sets them) and resolves with how it
   * ended. Rejects only with a fatal `PxStreamError` (`PX_AUTH_FAILED`, `PX_DAILY_QUOTA`),
   * after which the client sends nothing more, or `PX_ABORTED` after `close()`.
   */
  send(type: RecordType, row: SendInput, options?: SendOptions): Promise<SendResult>;
  /**
   * `DELETE` one user or account (px-api.md "Deleting"): `deleted`, or `already-gone` when PX has
   * no such record (404). Users are soft-deleted unless `hard`; an account's delete takes its
   * users with it. Rejects only as `send` does (fatal errors, a closed client).
   */
  deleteRecord(type: RecordModel, id: string, options?: Pick<DeleteOptions, 'hard'>): Promise<DeleteResult>;
  /** Counters, readable at any time. */
  stats(): PxSinkStats;
  /**
   * Stops sending, gently (a first Ctrl-C): no request starts any more, and the sends waiting
   * for one (the limiter, a backoff) reject with `PX_ABORTED`; the requests already on the wire
   * get their answers, so their sends end as usual unless they need one more request.
   * Idempotent; `close()` still ends the connections.
   */
  halt(): void;
  /** Aborts requests in flight and queued, closes the connections. Idempotent. */
  close(): void;
}

/** A client over kept-alive connections, with the shared adaptive limiter and retries. */
export function createPxClient(options: PxClientOptions): PxClient {
  const resolved = resolveClientOptions(options);
  const knownId = checkKnownId(options.knownId);
  return new Client(new Session(resolved), knownId);
}

export class Client implements PxClient {
  /** Which write an insert-missing row tries first, learnt from the rows of this client. */
  readonly writeOrder: WriteOrder;

  constructor(
    readonly session: Session,
    knownId?: (id: string) => boolean,
  ) {
    this.writeOrder = new WriteOrder(knownId);
  }

  get baseUrl(): string {
    return this.session.baseUrl;
  }

  async getAttributeMetadata(model: 'user' | 'account'): Promise<AttributeMetadata[]> {
    if (model !== 'user' && model !== 'account')
      throw invalidOption(`model must be user or account, got ${String(model)}`);
    const answer = await this.read({ method: 'GET', path: attributesPath(model) });
    if (answer.status !== 200) throw this.httpError(answer, `attribute metadata of ${model}`);
    const list = parseJson(answer.text);
    if (!Array.isArray(list)) {
      throw sinkError(
        'PX_INVALID_RESPONSE',
        `PX answered the ${model} attribute metadata with something other than a list`,
        {
          status: answer.status,
        },
      );
    }
    return list as AttributeMetadata[];
  }

  async getRecord(type: RecordModel, id: string): Promise<JsonObject | undefined> {
    if (type !== 'USER' && type !== 'ACCOUNT')
      throw invalidOption(`type must be USER or ACCOUNT, got ${String(type)}`);
    const answer = await this.read({ method: 'GET', path: recordPath(type, id) });
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw this.httpError(answer, `${type.toLowerCase()} record`);
    const record = parseJson(answer.text);
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw sinkError(
        'PX_INVALID_RESPONSE',
        `PX answered a ${type.toLowerCase()} record that is not a JSON object`,
        {
          status: answer.status,
        },
      );
    }
    return record as JsonObject;
  }

  async listPage(type: RecordModel, query: ListQuery): Promise<ListPage> {
    if (type !== 'USER' && type !== 'ACCOUNT')
      throw invalidOption(`type must be USER or ACCOUNT, got ${String(type)}`);
    checkListQuery(query);
    // A page of a scroll is asked for once: PX's scroll is stateful (px-api.md: pass the
    // previous answer's scrollId for the next page), so a request whose answer was lost (a
    // timeout, a reset, a 500/502/504) may have moved it on, and asking again would skip a page.
    // Such a failure is thrown (`lost`) for the reader to start a new scroll; 429 and 503 say
    // nothing was done, and are retried (and waited out) as any read. A first page is retried
    // as any read: it opens a new scroll each time.
    const mode = query.scrollId === undefined ? 'idempotent' : 'event';
    const answer = await this.read({ method: 'GET', path: listPath(type, query) }, mode);
    if (answer.status !== 200) throw this.httpError(answer, `${type.toLowerCase()} list`);
    return parseListPage(type, answer.text, answer.status);
  }

  async send(type: RecordType, row: SendInput, options: SendOptions = {}): Promise<SendResult> {
    const counters = this.session.counters;
    counters.pending++;
    try {
      const result = await sendRow(this.session, type, row, { writeOrder: this.writeOrder, ...options });
      counters[result.outcome]++;
      return result;
    } finally {
      counters.pending--;
    }
  }

  async deleteRecord(
    type: RecordModel,
    id: string,
    options: Pick<DeleteOptions, 'hard'> = {},
  ): Promise<DeleteResult> {
    if (type !== 'USER' && type !== 'ACCOUNT')
      throw invalidOption(
        `type must be USER or ACCOUNT, got ${String(type)}: PX deletes only users and accounts`,
      );
    if (options.hard === true && type === 'ACCOUNT')
      throw invalidOption('hard applies to users: PX has no hard delete of accounts');
    return this.deleteRow(type, id, { hard: options.hard === true });
  }

  /** One delete, counted as the sink counts rows (deleted as updated, already gone as skipped). */
  async deleteRow(type: RecordModel, id: string, options: DeleteOptions): Promise<DeleteResult> {
    const counters = this.session.counters;
    counters.pending++;
    try {
      const result = await deleteRecord(this.session, type, id, options);
      counters[asSendResult(result).outcome]++;
      return result;
    } finally {
      counters.pending--;
    }
  }

  stats(): PxSinkStats {
    return this.session.counters.snapshot(this.session.limiter.currentRate);
  }

  halt(): void {
    if (this.session.closed || this.session.fatal) return;
    // The stop of a fatal answer is exactly this (nothing new starts, the wire finishes), with
    // an error that says the caller stopped it.
    this.session.stop(sinkError('PX_ABORTED', 'the PX client was halted: no new request is sent'));
  }

  close(): void {
    this.session.close();
  }

  /**
   * A GET retried on 429/5xx/reset/timeout; throws when the attempts are used up, or (`event`
   * mode) at once when the answer was lost after PX may have acted on the request.
   */
  private async read(
    spec: RequestSpec,
    mode: Mode = 'idempotent',
  ): Promise<{ status: number; text: string }> {
    const attempts = new Attempts(this.session);
    const answer = await attempts.perform(spec, mode);
    if (answer.kind === 'answer') return answer;
    if (answer.kind === 'lost') throw lostAnswer(answer.failure, `GET ${this.baseUrl}${spec.path}`);
    const failed = attempts.exhausted();
    throw sinkError(failed.code, `GET ${this.baseUrl}${spec.path}: ${failed.message}`, {
      ...(failed.status === undefined ? {} : { status: failed.status }),
      retryable: true,
    });
  }

  private httpError(answer: { status: number; text: string }, what: string) {
    const message = this.session.bodyMessage(answer.status, answer.text);
    return sinkError(
      httpCode(answer.status),
      `cannot read the ${what} at ${this.baseUrl}: HTTP ${answer.status} ${message}`,
      {
        status: answer.status,
      },
    );
  }
}

/** A read whose answer was lost after it reached PX: retryable, but not by asking again. */
function lostAnswer(failure: Failure, what: string) {
  const code =
    failure.kind === 'status'
      ? httpCode(failure.status)
      : failure.kind === 'timeout'
        ? 'PX_TIMEOUT'
        : 'PX_CONNECTION_FAILED';
  const how = failure.kind === 'status' ? `HTTP ${failure.status} ${failure.message}` : failure.message;
  return sinkError(code, `${what}: the answer was lost (${how}), PX may have acted on it`, {
    ...(failure.kind === 'status' ? { status: failure.status } : {}),
    retryable: true,
  });
}
