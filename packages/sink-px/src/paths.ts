/**
 * Request paths, relative to the base URL's path (e.g. `/v1`). An id is never pasted raw: it
 * is one percent-encoded path segment, or it travels in the body (`PUT .../update`) when even
 * an encoded segment could be taken for something else.
 */
import type { RecordType } from '@pxstream/config';

export type RecordModel = 'USER' | 'ACCOUNT';

export const COLLECTION: Record<RecordModel, string> = { USER: '/users', ACCOUNT: '/accounts' };

/** The body field that holds the key of a record (px-api.md "Models"). */
export const KEY_FIELD: Record<RecordModel, string> = { USER: 'identifyId', ACCOUNT: 'id' };

export const EVENTS_PATH = '/events/custom';

export function isRecordModel(type: RecordType): type is RecordModel {
  return type === 'USER' || type === 'ACCOUNT';
}

/**
 * One path segment. `encodeURIComponent` escapes `/ ? # %`, spaces and non-ASCII; it leaves
 * dots alone, so the dot segments `.` and `..` are escaped by hand (`%2E`): sent raw, any HTTP
 * stack may resolve them to the parent path.
 */
export function encodeSegment(id: string): string {
  if (id === '.' || id === '..') return id.replaceAll('.', '%2E');
  return encodeURIComponent(id);
}

/**
 * True when `PUT /{collection}/{id}` cannot name this record reliably, so the `/update`
 * variant (id in the body) must be used: `update` is that literal route itself, and `.` /
 * `..` (raw or as `%2E`) are dot segments that a server, proxy or URL library may normalise
 * away (the WHATWG URL parser turns `%2e%2e` into `..`).
 */
export function needsBodyId(id: string): boolean {
  return id === 'update' || id === '.' || id === '..';
}

/** `PUT` target updating `id`: by path, or the `/update` route with the id in the body. */
export function updatePath(model: RecordModel, id: string): string {
  return needsBodyId(id) ? `${COLLECTION[model]}/update` : `${COLLECTION[model]}/${encodeSegment(id)}`;
}

/**
 * `GET` target of one record. There is no body-id variant of GET, so `update`, `.` and `..`
 * go by path (`update` resolves to the record on the emulator and on PX, since `/update` has
 * no GET route; dots are escaped).
 */
export function recordPath(model: RecordModel, id: string): string {
  return `${COLLECTION[model]}/${encodeSegment(id)}`;
}

export function preferencesPath(identifyId: string): string {
  return `/user/preferences/${encodeSegment(identifyId)}`;
}

export function attributesPath(model: 'user' | 'account'): string {
  return `/admin/model/${model}/attributes`;
}

/**
 * `GET` target of one page of a list (px-api.md "Reading records back"): every value
 * percent-encoded, each filter a `filter` parameter of its own (PX ORs them). The query goes
 * whole with the `scrollId` too (px-api.md does not say whether PX needs it again): a server that
 * reads only the `scrollId` ignores the rest, one that wants the query again has it.
 */
export function listPath(
  model: RecordModel,
  query: {
    pageSize: number;
    scrollId?: string | undefined;
    filters?: readonly string[] | undefined;
    sort?: string | undefined;
  },
): string {
  const params = [`pageSize=${query.pageSize}`];
  for (const filter of query.filters ?? []) params.push(`filter=${encodeURIComponent(filter)}`);
  if (query.sort !== undefined) params.push(`sort=${encodeURIComponent(query.sort)}`);
  if (query.scrollId !== undefined) params.push(`scrollId=${encodeURIComponent(query.scrollId)}`);
  return `${COLLECTION[model]}?${params.join('&')}`;
}
