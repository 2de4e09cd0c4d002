/**
 * The plain async API: metadata, reading a record, sending one row. The sink is a thin
 * Writable over the same `send`.
 */
import type { AttributeMetadata, RecordType } from '@pxstream/config';
import type { JsonObject } from '@pxstream/core';
import { Attempts } from './attempts.js';
import { httpCode, invalidOption, sinkError } from './errors.js';
import { type PxClientOptions, resolveClientOptions } from './options.js';
import { attributesPath, type RecordModel, recordPath } from './paths.js';
import { parseJson } from './record-match.js';
import { type SendInput, type SendOptions, type SendResult, sendRow } from './send.js';
import { type RequestSpec, Session } from './session.js';
import type { PxSinkStats } from './stats.js';

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
   * Sends one row (`row.key`, `row.body`, as the mapper sets them) and resolves with how it
   * ended. Rejects only with a fatal `PxStreamError` (`PX_AUTH_FAILED`, `PX_DAILY_QUOTA`),
   * after which the client sends nothing more, or `PX_ABORTED` after `close()`.
   */
  send(type: RecordType, row: SendInput, options?: SendOptions): Promise<SendResult>;
  /** Counters, readable at any time. */
  stats(): PxSinkStats;
  /** Aborts requests in flight and queued, closes the connections. Idempotent. */
  close(): void;
}

/** A client over kept-alive connections, with the shared adaptive limiter and retries. */
export function createPxClient(options: PxClientOptions): PxClient {
  return new Client(new Session(resolveClientOptions(options)));
}

export class Client implements PxClient {
  constructor(readonly session: Session) {}

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

  async send(type: RecordType, row: SendInput, options: SendOptions = {}): Promise<SendResult> {
    const counters = this.session.counters;
    counters.pending++;
    try {
      const result = await sendRow(this.session, type, row, options);
      counters[result.outcome]++;
      return result;
    } finally {
      counters.pending--;
    }
  }

  stats(): PxSinkStats {
    return this.session.counters.snapshot(this.session.limiter.currentRate);
  }

  close(): void {
    this.session.close();
  }

  /** A GET retried on 429/5xx/reset/timeout; throws when the attempts are used up. */
  private async read(spec: RequestSpec): Promise<{ status: number; text: string }> {
    const attempts = new Attempts(this.session);
    const answer = await attempts.perform(spec, 'idempotent');
    if (answer.kind === 'answer') return answer;
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
