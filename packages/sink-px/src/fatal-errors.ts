/**
 * The errors that stop a whole run, each with a message that names the cause and the fix: a key
 * refused (401) or lacking a permission (403), PX unavailable with `wait: false`, the "quota"
 * fast path with `wait: false`.
 */
import type { Spell } from './availability.js';
import { forbiddenMessage } from './error-body.js';
import { type PxSinkError, sinkError } from './errors.js';

/** 401: the key is wrong or revoked; 403: it lacks the read or write permission of the request. */
export function authFailure(
  status: number,
  spec: { method: string; path: string },
  baseUrl: string,
  bodyMessage: string,
): PxSinkError {
  const message =
    status === 403
      ? forbiddenMessage(spec.method, spec.path, baseUrl, bodyMessage)
      : `PX rejected the API key (HTTP ${status}) at ${baseUrl}`;
  return sinkError('PX_AUTH_FAILED', message, { fatal: true, status });
}

/** `wait: false` and PX refused or failed every request for a spell (availability.ts). */
export function unavailable(spell: Spell, baseUrl: string, now: number): PxSinkError {
  const seconds = Math.round((now - spell.startedAt) / 1000);
  const requests = spell.failures === 1 ? '1 request' : `${spell.failures} requests`;
  return sinkError(
    'PX_UNAVAILABLE',
    `PX is unavailable at ${baseUrl}: it refused or failed every request since ` +
      `${new Date(spell.since).toISOString()} (${requests} in ${seconds} s; last: ${spell.answer})`,
    { fatal: true, retryable: true, ...(spell.status === undefined ? {} : { status: spell.status }) },
  );
}

/** `wait: false` and a 429 whose body names a quota (the fast path, see `isQuotaMessage`). */
export function dailyQuota(baseUrl: string, message: string, retryAfterMs: number | undefined): PxSinkError {
  const when = retryAfterMs === undefined ? '' : ` (Retry-After: ${Math.round(retryAfterMs / 1000)} s)`;
  return sinkError('PX_DAILY_QUOTA', `PX daily request quota exhausted at ${baseUrl}: ${message}${when}`, {
    fatal: true,
    status: 429,
  });
}

/** A failure without an answer, as a wait's `answer` says it (key-free `message`). */
export function failureAnswer(kind: 'connect' | 'reset' | 'timeout', message: string): string {
  if (kind === 'reset') return 'connection reset';
  if (kind === 'timeout') return 'timeout';
  return `no connection (${message})`;
}
