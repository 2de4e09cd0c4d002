/**
 * The peer's lists, written from px-api.md "Reading records back": `GET /v1/users` (and
 * `/v1/accounts`) with `pageSize` (1 to 1000, default 25), `scrollId`, `filter` and `sort`,
 * answering `{users|accounts: [...], totalHits, scrollId}`.
 *
 * - Filters: terms `{field}{op}{value}`, op one of `== != < <= > >= ~ !~`, `;` = AND, separate
 *   `filter` parameters ORed, dotted fields into nested objects, not case-sensitive. Here
 *   values compare as lower-case text, except `<` `<=` `>` `>=`, which compare numbers when
 *   both sides are numbers. `~` takes `*` and `?` wildcards over the whole value.
 * - Sort: `;`-separated fields, `-` for descending; text compared lower-cased, numbers (`createDate`) by value.
 * - Scrolls, read the way an Elasticsearch scroll works: the first page opens a scroll (the
 *   matching records, as of then) and every answer carries the same `scrollId`; each call with
 *   it answers the next page and moves the scroll on. So a page whose answer was lost is not
 *   served again: a client learns it from `totalHits`. The last page is short (possibly empty),
 *   and `scrollId` never becomes null. A scroll unused for `ttlSec` is gone: 400, as for any
 *   unknown scrollId (the list's documented failures are 400, 401 and 429).
 */
import type { Json } from './records.js';

export class BadSearch extends Error {}

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~';

interface Term {
  field: string[];
  op: Op;
  value: string;
  /** The value as a number, for `<` `<=` `>` `>=` against a number (NaN when it is none). */
  number: number;
  like?: RegExp;
}

/** Matched at each position in this order, so `<=` wins over `<` and `!~` over `~`. */
const OPERATORS: Op[] = ['==', '!=', '<=', '>=', '!~', '<', '>', '~'];

function parseTerm(text: string): Term {
  for (let i = 1; i < text.length; i++) {
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
    if (!op) continue;
    const field = text.slice(0, i).trim().split('.');
    if (field.some((part) => part === '' || /[=!<>~]/.test(part))) break;
    const value = text.slice(i + op.length);
    const lower = value.toLowerCase();
    const term: Term = { field, op, value: lower, number: lower.trim() === '' ? Number.NaN : Number(lower) };
    if (op === '~' || op === '!~') {
      const source = [...value]
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/, '\\$&')))
        .join('');
      term.like = new RegExp(`^${source}$`, 'is');
    }
    return term;
  }
  throw new BadSearch(`Invalid filter expression: ${text}`);
}

function valueAt(record: Json, field: string[]): unknown {
  let at: unknown = record;
  for (const name of field) at = at !== null && typeof at === 'object' ? (at as Json)[name] : undefined;
  return at;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).toLowerCase();
  return undefined;
}

function holds(term: Term, value: unknown): boolean {
  if (Array.isArray(value)) {
    const some = value.some((one) => holds({ ...term, op: positive(term.op) }, one));
    return term.op === '!=' || term.op === '!~' ? !some : some;
  }
  if (typeof value === 'number' && Number.isFinite(value) && !Number.isNaN(term.number)) {
    // A number against a number (`createDate<1700000000000`): by value, as below, without
    // turning each record's number into text first (a count over 1M records tests each once).
    if (term.op === '<') return value < term.number;
    if (term.op === '<=') return value <= term.number;
    if (term.op === '>') return value > term.number;
    if (term.op === '>=') return value >= term.number;
  }
  const text = textOf(value);
  switch (term.op) {
    case '==':
      return text === term.value;
    case '!=':
      return text !== term.value;
    case '~':
      return text !== undefined && term.like!.test(text);
    case '!~':
      return text === undefined || !term.like!.test(text);
    default: {
      if (text === undefined) return false;
      const a = Number(text);
      const b = Number(term.value);
      const numeric = typeof value === 'number' && term.value.trim() !== '' && !Number.isNaN(b);
      const order = numeric ? Math.sign(a - b) : text < term.value ? -1 : text > term.value ? 1 : 0;
      if (term.op === '<') return order < 0;
      if (term.op === '<=') return order <= 0;
      if (term.op === '>') return order > 0;
      return order >= 0;
    }
  }
}

const positive = (op: Op): Op => (op === '!=' ? '==' : op === '!~' ? '~' : op);

/** Every `filter` parameter: each a list of ANDed terms; the parameters are ORed. */
export function parseFilters(params: string[]): Term[][] {
  return params
    .filter((p) => p !== '')
    .map((p) =>
      p
        .split(';')
        .filter((t) => t !== '')
        .map(parseTerm),
    );
}

export function matches(record: Json, filters: Term[][]): boolean {
  return (
    filters.length === 0 || filters.some((terms) => terms.every((t) => holds(t, valueAt(record, t.field))))
  );
}

function sorted(records: Json[], sort: string): Json[] {
  const keys = sort
    .split(';')
    .filter((k) => k !== '')
    .map((k) => ({ field: k.replace(/^-/, '').split('.'), down: k.startsWith('-') }));
  if (keys.some((k) => k.field.some((part) => part === ''))) throw new BadSearch(`Invalid sort: ${sort}`);
  const cell = (value: unknown) => (typeof value === 'number' ? value : textOf(value));
  // Each record's cells taken once (not at each comparison: 20 of them a record for 1M), then
  // sorted; the sort is stable, so ties keep the records' order.
  const cells = keys.map(({ field }) => records.map((record) => cell(valueAt(record, field))));
  const order = records.map((_, i) => i);
  order.sort((a, b) => {
    for (let k = 0; k < keys.length; k++) {
      const x = cells[k]![a];
      const y = cells[k]![b];
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return (x < y ? -1 : 1) * (keys[k]!.down ? -1 : 1);
    }
    return 0;
  });
  return order.map((i) => records[i]!);
}

interface Scroll {
  records: Json[];
  at: number;
  pageSize: number;
  usedAt: number;
}

export class Scrolls {
  private readonly open = new Map<string, Scroll>();
  private serial = 0;

  constructor(
    private readonly ttlSec: number,
    private readonly now: () => number,
  ) {}

  /** One list request; throws BadSearch for a 400. */
  page(
    all: () => Iterable<Json>,
    query: URLSearchParams,
  ): { page: Json[]; totalHits: number; scrollId: string } {
    const now = this.now();
    for (const [id, scroll] of this.open) if (now - scroll.usedAt > this.ttlSec * 1000) this.open.delete(id);
    const rawSize = query.get('pageSize');
    let pageSize: number | undefined;
    if (rawSize !== null) {
      pageSize = Number(rawSize);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
        throw new BadSearch(`pageSize must be between 1 and 1000, got ${rawSize}`);
    }
    let scrollId = query.get('scrollId') ?? '';
    let scroll = this.open.get(scrollId);
    if (scrollId !== '' && !scroll) throw new BadSearch(`No search context found for scrollId ${scrollId}`);
    if (!scroll) {
      const filters = parseFilters(query.getAll('filter'));
      let records = [...all()].filter((record) => matches(record, filters));
      const sort = query.get('sort');
      if (sort) records = sorted(records, sort);
      scrollId = `peer-scroll-${++this.serial}-${Math.floor(Math.random() * 1e9).toString(36)}`;
      scroll = { records, at: 0, pageSize: pageSize ?? 25, usedAt: now };
      this.open.set(scrollId, scroll);
    }
    const size = pageSize ?? scroll.pageSize;
    const page = scroll.records.slice(scroll.at, scroll.at + size);
    scroll.at += page.length;
    scroll.usedAt = now;
    return { page, totalHits: scroll.records.length, scrollId };
  }
}
