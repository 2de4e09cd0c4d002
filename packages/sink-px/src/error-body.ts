/**
 * Reading PX error bodies. PX answers `{"externalapierror": {...}}` or `{"errorMessage": ...}`,
 * but a proxy in front of it can answer HTML or plain text (px-api.md "Error bodies"), so
 * nothing here assumes JSON.
 */

/** Longest message kept from a body: rejects files and logs stay readable. */
export const MAX_MESSAGE_LENGTH = 200;

/** One line, trimmed, cut to `MAX_MESSAGE_LENGTH` characters. */
export function oneLine(text: string, max = MAX_MESSAGE_LENGTH): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function fromJson(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const body = value as Record<string, unknown>;
  const api = body.externalapierror;
  if (typeof api === 'object' && api !== null) {
    const error = api as Record<string, unknown>;
    const subErrors = error.subErrors;
    if (Array.isArray(subErrors) && subErrors.length > 0) {
      const first = subErrors[0] as Record<string, unknown> | null;
      const message = nonEmptyString(first?.message);
      if (message) return message;
    }
    const message = nonEmptyString(error.message) ?? nonEmptyString(error.status);
    if (message) return message;
  }
  return nonEmptyString(body.errorMessage);
}

/** `<title>` of an HTML page, else its text without tags. */
function fromText(text: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text);
  if (title?.[1]?.trim()) return title[1];
  return text.replace(/<[^>]*>/g, ' ');
}

/**
 * The most useful message of an error body: `subErrors[0].message`, then `message`, then
 * `status`, then `errorMessage`, then the raw text (HTML reduced to its title), single-line
 * and cut short. `HTTP <status>` when the body says nothing. `redact` is applied before the
 * cut: a secret the body echoes across the cut would otherwise keep its first characters.
 */
export function errorBodyMessage(
  status: number,
  text: string,
  redact: (text: string) => string = (same) => same,
): string {
  let message: string | undefined;
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      message = fromJson(JSON.parse(trimmed));
    } catch {
      // Not JSON after all: fall back to the raw text.
    }
  }
  message ??= trimmed === '' ? '' : fromText(trimmed);
  const line = oneLine(redact(message));
  return line === '' ? `HTTP ${status}` : line;
}

/** PX's 400 on a create whose id exists: "Possible duplicate: User already exists ...". */
export function isDuplicateMessage(message: string): boolean {
  return /duplicate|already exists/i.test(message);
}

/**
 * A 429 whose message names a quota (`Daily quota exceeded`): a fast path into the wait for PX
 * (or the stop with `wait: false`). Only a fast path: px-api.md documents no such body, a spent
 * quota answers the plain `Rate limit exceeded`, and the wait comes from PX refusing everything
 * for a spell whatever the body says (availability.ts).
 */
export function isQuotaMessage(message: string): boolean {
  return /quota/i.test(message);
}

/**
 * True when a 404's body is PX's own "not found" for a record (`{"externalapierror":
 * {"status":"NOT_FOUND",...}}`): the id is not there. Anything else (a gateway's HTML page,
 * `{"errorMessage":"No route..."}`, an empty body) means the request never reached a PX
 * route: a wrong base URL, not a missing record.
 */
export function isRecordNotFound(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return false;
  try {
    const body = JSON.parse(trimmed) as { externalapierror?: { status?: unknown } };
    return body?.externalapierror?.status === 'NOT_FOUND';
  } catch {
    return false;
  }
}

/** The message of a 404 that is not a record's: names the likely fix. */
export function wrongBaseUrlMessage(baseUrl: string, what: string, bodyMessage: string): string {
  return `PX answered ${what} with 404 and no record error (${bodyMessage}) at ${baseUrl}: ${baseUrlFix(baseUrl)}`;
}

/**
 * What to do about a base URL PX's API is not at: add the API version when the path lacks it,
 * else check the address.
 */
export function baseUrlFix(baseUrl: string): string {
  const path = (() => {
    try {
      return new URL(baseUrl).pathname.replace(/\/+$/, '');
    } catch {
      return '';
    }
  })();
  return /\/v\d+$/.test(path)
    ? 'check that the base URL is the PX API (e.g. https://api.aptrinsic.com/v1)'
    : `the base URL must end in /v1 (set baseUrl to ${baseUrl.replace(/\/+$/, '')}/v1)`;
}

/** What a request path reads or writes, in words: `users`, `custom events`, `the user attribute metadata`. */
function subjectOf(path: string): string {
  const metadata = /^\/admin\/model\/(\w+)\/attributes/.exec(path);
  if (metadata) return `the ${metadata[1]} attribute metadata`;
  if (path.startsWith('/user/preferences')) return 'user preferences';
  if (path.startsWith('/events/custom')) return 'custom events';
  if (path.startsWith('/users')) return 'users';
  if (path.startsWith('/accounts')) return 'accounts';
  return path.split('?')[0] ?? path;
}

/**
 * The message of a 403: a key lacking the permission the request needs (px-api.md
 * "Permissions": an API key has separate Read and Write permissions). A `GET` needs Read, any
 * other method Write. PX's own message is quoted, since a gateway's 403 may mean something else.
 */
export function forbiddenMessage(method: string, path: string, baseUrl: string, bodyMessage: string): string {
  const read = method === 'GET';
  const permission = read ? 'read' : 'write';
  return (
    `the API key lacks ${permission} permission for ${subjectOf(path)}: PX answered HTTP 403 to a ` +
    `${read ? 'read' : 'write'} (${method}) at ${baseUrl} ("${bodyMessage}"). Give the key the ` +
    `${read ? 'Read' : 'Write'} permission (PX: Settings, REST API), or use a key that has it`
  );
}
