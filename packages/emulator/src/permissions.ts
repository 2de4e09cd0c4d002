/**
 * A key lacking Read or Write permission (px-api.md "Permissions": chosen when the key is
 * made). Reads are the GET routes (a record, a list, the attribute metadata); writes are every
 * other method (create, update, delete, events, preferences). Checked with the key, before the
 * limits, so a 403 uses no rate-limit budget or quota. PX's wording is not documented: the body
 * is PX's error shape with a message naming the permission.
 */
import { type Answer, pxError } from './http-error.js';
import type { ForbiddenAccess } from './options.js';

export function accessOf(method: string): ForbiddenAccess {
  return method === 'GET' ? 'read' : 'write';
}

export function forbidden(access: ForbiddenAccess): Answer {
  const permission = access === 'read' ? 'Read' : 'Write';
  return pxError(403, `Access denied: the API key does not have ${permission} permission`);
}
