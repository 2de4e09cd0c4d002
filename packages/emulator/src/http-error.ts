/** PX error bodies and the answer type every handler returns. */

export interface Answer {
  status: number;
  /** JSON-serialised unless `raw` is set. Omitted for 204. */
  body?: unknown;
  /** A body sent as is (HTML or text error pages). */
  raw?: { text: string; contentType: string };
  headers?: Record<string, string>;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
};

export interface SubError {
  message: string;
  field?: string;
}

/** `{"externalapierror":{status, message, debugMessage, subErrors}}`, as PX answers. */
export function pxError(status: number, message: string, subErrors: SubError[] | null = null): Answer {
  return {
    status,
    body: {
      externalapierror: {
        status: STATUS_NAMES[status] ?? String(status),
        message,
        debugMessage: null,
        subErrors,
      },
    },
  };
}

export function badRequest(message: string, subErrors: SubError[] = [{ message }]): Answer {
  return pxError(400, message, subErrors);
}

/** Thrown inside handlers to answer at once. */
export class AnswerError extends Error {
  constructor(readonly answer: Answer) {
    super(`HTTP ${answer.status}`);
  }
}

export function notFound(kind: 'User' | 'Account', id: string): Answer {
  return pxError(404, `${kind} was not found for parameters {id=${id}}`);
}
