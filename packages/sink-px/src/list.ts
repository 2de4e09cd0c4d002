/**
 * PX's list endpoint (px-api.md "Reading records back"): the query of one page and the page
 * it answers. The reader that walks the scroll is `@pxstream/source-px`; here is only what one
 * request needs, so that reads go through the client's limiter, retries and waits like writes.
 */
import type { JsonObject } from '@pxstream/core';
import { invalidOption, sinkError } from './errors.js';
import type { RecordModel } from './paths.js';
import { parseJson } from './record-match.js';

/** PX's bounds of `pageSize` (px-api.md): 1 to 1,000. */
export const MAX_PAGE_SIZE = 1000;

export interface ListQuery {
  /** Records per page, 1 to 1,000: a page with fewer is the last. */
  pageSize: number;
  /** The previous page's `scrollId`, to get the next page of the same scroll. */
  scrollId?: string | undefined;
  /**
   * `filter` parameters, each `{field}{op}{value}` terms joined by `;` (AND); several are ORed.
   * Passed as given (PX's syntax: `==`, `!=`, `<`, `<=`, `>`, `>=`, `~`, `!~`).
   */
  filters?: readonly string[] | undefined;
  /** `sort`: `;`-separated fields, `-` for descending. */
  sort?: string | undefined;
}

export interface ListPage {
  /** The page's records (`users` or `accounts` of the answer), as PX gave them. */
  records: JsonObject[];
  /** Every record the filters match, whatever the page. */
  totalHits: number;
  /** The scroll's next page; PX never answers null, but a body without one ends the scroll. */
  scrollId: string | undefined;
}

const LIST_FIELD: Record<RecordModel, string> = { USER: 'users', ACCOUNT: 'accounts' };

/** Throws `PX_INVALID_OPTION` unless the query is one PX takes. */
export function checkListQuery(query: ListQuery): void {
  const { pageSize } = query;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw invalidOption(
      `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(pageSize)}`,
    );
  }
  for (const filter of query.filters ?? []) {
    if (typeof filter !== 'string' || filter.trim() === '') {
      throw invalidOption(`a filter must be a non-empty string, got ${JSON.stringify(filter)}`);
    }
  }
}

/** The answer of a list request, checked: `PX_INVALID_RESPONSE` when it is not a page. */
export function parseListPage(model: RecordModel, text: string, status: number): ListPage {
  const body = parseJson(text) as Record<string, unknown> | undefined;
  const field = LIST_FIELD[model];
  const records = body?.[field];
  const totalHits = body?.totalHits;
  const invalid = (what: string) =>
    sinkError('PX_INVALID_RESPONSE', `PX answered a ${model.toLowerCase()} list ${what}`, { status });
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('that is not a JSON object');
  if (!Array.isArray(records)) throw invalid(`without a "${field}" list`);
  if (typeof totalHits !== 'number' || !Number.isSafeInteger(totalHits) || totalHits < 0) {
    throw invalid('without a whole "totalHits"');
  }
  for (const record of records) {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw invalid(`whose "${field}" holds something other than records`);
    }
  }
  const scrollId = typeof body.scrollId === 'string' && body.scrollId !== '' ? body.scrollId : undefined;
  return { records: records as JsonObject[], totalHits, scrollId };
}
