/**
 * List / search: `filter` (filter.ts), `sort` and paging through an opaque `scrollId`
 * (px-api.md "Reading records back").
 *
 * A scroll is a snapshot of the matching records, taken on the first page (a point in time:
 * the ids and their order; a page shows each record as it is when the page is read). Each
 * scrollId names the snapshot and an offset, so asking for the same page twice is harmless;
 * the last page still carries a scrollId (the next call answers an empty page). A follow-up
 * takes its `pageSize` from the request, or else the first page's; its `filter` and `sort`
 * are ignored. A scroll expires `ttlSec` after its last page was read (monotonic clock): then,
 * as for any unknown scrollId, 400 (the list's documented failures are 400, 401 and 429; 404
 * would read as a wrong path).
 *
 * Memory: a snapshot is one array slot (8 bytes) per record, so a 1M-record scroll holds 8 MB.
 * At most `MAX_SCROLLS` scrolls and `MAX_HELD` records over all of them are kept: past either,
 * the least recently used scrolls are dropped (as if expired), so a client opening scrolls and
 * never finishing them cannot grow the emulator past ~130 MB of snapshots.
 */
import { type Filter, matchesAny, parseFilters, pathValue } from './filter.js';
import { type Answer, AnswerError, badRequest } from './http-error.js';
import type { RecordStore } from './record-store.js';
import type { JsonRecord } from './validate.js';

interface Scroll {
  records: JsonRecord[];
  pageSize: number;
  /** Monotonic ms of the last page read. */
  usedAt: number;
}

/** Scrolls kept at once (older ones are dropped first). */
export const MAX_SCROLLS = 64;
/** Snapshot entries kept over all scrolls: 16M slots, 128 MB. */
export const MAX_HELD = 16_000_000;
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 1000;

type Key = string | number | boolean | undefined;

/** A sort key: strings lower-cased (the order ignores case, as filters do), absent fields undefined. */
function keyOf(value: unknown): Key {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

/**
 * `sort`: `;`-separated fields, `-field` descending (also `field,desc` / `field:asc`).
 * Strings compare ignoring case, numbers (and epoch-ms dates) by value; a record lacking the
 * field comes last whichever the direction; ties keep insertion order. The keys are computed
 * once per record (not per comparison): a sort of 1M users lower-cases each value once, and
 * holds one key array per field and an index array (~12 MB for 1M records, plus the strings).
 */
function sortRecords(records: JsonRecord[], sort: string): JsonRecord[] {
  const fields = sort
    .split(';')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      let field = part.trim();
      let direction = 1;
      if (field.startsWith('-')) {
        direction = -1;
        field = field.slice(1);
      }
      const suffix = /^(.*)[,:](asc|desc)$/i.exec(field);
      if (suffix) {
        field = suffix[1]!;
        direction = suffix[2]!.toLowerCase() === 'desc' ? -1 : 1;
      }
      const path = field.split('.');
      if (field === '' || path.some((p) => p === ''))
        throw new AnswerError(badRequest(`Invalid sort ${JSON.stringify(sort)}: no field name`));
      return { path, direction };
    });
  // One array of keys per field and an array of indexes: no object per record.
  const keys = fields.map((field) => records.map((record) => keyOf(pathValue(record, field.path))));
  const one = fields.length === 1 ? sortedByOne(keys[0]!, fields[0]!.direction) : undefined;
  if (one) return one.map((i) => records[i]!);
  const order = new Uint32Array(records.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => {
    for (let f = 0; f < fields.length; f++) {
      const x = keys[f]![a];
      const y = keys[f]![b];
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const [p, q] = typeof x === typeof y ? [x, y] : [String(x), String(y)];
      if (p !== q) return (p < q ? -1 : 1) * fields[f]!.direction;
    }
    return a - b; // ties keep insertion order
  });
  return Array.from(order, (i) => records[i]!);
}

/**
 * The order of one field's keys when all are numbers or all strings (a sort by `createDate`, by
 * an id): the same order as the general comparator, ties by insertion, with a comparator of a
 * line over a plain array (V8 sorts it 2 to 5 times faster than the general one over a typed
 * array: 1M `createDate`s in 0.2 s instead of 0.9 s, measured 2026-12). Undefined otherwise.
 */
function sortedByOne(keys: readonly Key[], direction: number): number[] | undefined {
  const kind = typeof keys[0];
  if (kind !== 'number' && kind !== 'string') return undefined;
  for (const key of keys) if (typeof key !== kind) return undefined;
  const order = Array.from({ length: keys.length }, (_, i) => i);
  if (kind === 'number') {
    const values = keys as readonly number[];
    return order.sort((a, b) => (values[a]! - values[b]!) * direction || a - b);
  }
  const texts = keys as readonly string[];
  return order.sort((a, b) => {
    const x = texts[a]!;
    const y = texts[b]!;
    return x < y ? -direction : x > y ? direction : a - b;
  });
}

function pageSizeOf(raw: string | null, fallback: number): number {
  if (raw === null) return fallback;
  const size = Number(raw);
  if (!/^\d+$/.test(raw) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new AnswerError(
      badRequest(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${JSON.stringify(raw)}`),
    );
  }
  return size;
}

export class Lister {
  /** In order of last use, oldest first. */
  private readonly scrolls = new Map<string, Scroll>();
  private held = 0;
  private next = 0;
  private ttlMs: number;

  constructor(
    private readonly clock: () => number = () => performance.now(),
    ttlSec = 60,
  ) {
    this.ttlMs = ttlSec * 1000;
  }

  setTtl(ttlSec: number): void {
    this.ttlMs = ttlSec * 1000;
  }

  clear(): void {
    this.scrolls.clear();
    this.held = 0;
  }

  /** Open scrolls (for tests and the memory figures). */
  get open(): number {
    return this.scrolls.size;
  }

  private drop(token: string): void {
    const scroll = this.scrolls.get(token);
    if (!scroll) return;
    this.held -= scroll.records.length;
    this.scrolls.delete(token);
  }

  /**
   * Drops the expired scrolls, then the least recently used ones until a new scroll of
   * `incoming` records fits under the caps.
   */
  private sweep(now: number, incoming: number): void {
    for (const [token, scroll] of this.scrolls) {
      if (now - scroll.usedAt >= this.ttlMs) this.drop(token);
    }
    for (const token of this.scrolls.keys()) {
      if (this.scrolls.size < MAX_SCROLLS && this.held + incoming <= MAX_HELD) break;
      this.drop(token);
    }
  }

  /** The first page's request: a new scroll. */
  private snapshot(
    store: RecordStore,
    query: URLSearchParams,
    now: number,
  ): { token: string; scroll: Scroll } {
    const pageSize = pageSizeOf(query.get('pageSize'), DEFAULT_PAGE_SIZE);
    const filters: Filter[] = parseFilters(query.getAll('filter'));
    const sort = query.get('sort');
    let records: JsonRecord[] = [];
    for (const record of store.live.values()) if (matchesAny(record, filters)) records.push(record);
    if (sort) records = sortRecords(records, sort);
    this.sweep(now, records.length);
    const token = (++this.next).toString(36);
    const scroll = { records, pageSize, usedAt: now };
    this.scrolls.set(token, scroll);
    this.held += records.length;
    return { token, scroll };
  }

  private resume(scrollId: string, now: number): { token: string; scroll: Scroll; offset: number } {
    const decoded = /^([a-z0-9]+)\.(\d+)$/.exec(Buffer.from(scrollId, 'base64url').toString('latin1'));
    const token = decoded?.[1];
    const scroll = token === undefined ? undefined : this.scrolls.get(token);
    if (!scroll || now - scroll.usedAt >= this.ttlMs) {
      if (token !== undefined) this.drop(token);
      throw new AnswerError(badRequest(`Invalid or expired scrollId ${scrollId}`));
    }
    scroll.usedAt = now;
    this.scrolls.delete(token!); // to the end: the most recently used
    this.scrolls.set(token!, scroll);
    return { token: token!, scroll, offset: Number(decoded![2]) };
  }

  list(store: RecordStore, listName: 'users' | 'accounts', query: URLSearchParams): Answer {
    const now = this.clock();
    const scrollId = query.get('scrollId');
    let pageSize: number;
    let at: { token: string; scroll: Scroll; offset: number };
    if (scrollId) {
      at = this.resume(scrollId, now);
      pageSize = pageSizeOf(query.get('pageSize'), at.scroll.pageSize);
    } else {
      at = { ...this.snapshot(store, query, now), offset: 0 };
      pageSize = at.scroll.pageSize;
    }
    const { records } = at.scroll;
    const end = Math.max(at.offset, Math.min(at.offset + pageSize, records.length));
    const page = records.slice(at.offset, end);
    const nextId = Buffer.from(`${at.token}.${end}`, 'latin1').toString('base64url');
    return { status: 200, body: { [listName]: page, totalHits: records.length, scrollId: nextId } };
  }
}
