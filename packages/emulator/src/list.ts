/**
 * List / search: `filter` (`field==value`, `field!=value`, `;` for AND, dotted paths),
 * `sort` (`field`, `-field` or `field,desc`), and paging through an opaque `scrollId`.
 * A scroll is a snapshot of the matching records taken on the first page; each scrollId
 * names the snapshot and an offset, so asking for the same page twice is harmless, and the
 * last page still carries a scrollId (the next call answers an empty page).
 */
import { type Answer, AnswerError, badRequest } from './http-error.js';
import type { RecordStore } from './record-store.js';
import type { JsonRecord } from './validate.js';

interface Condition {
  path: string[];
  negate: boolean;
  value: string;
}

interface Scroll {
  records: JsonRecord[];
}

const MAX_SCROLLS = 64;

function pathValue(record: JsonRecord, path: string[]): unknown {
  let value: unknown = record;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as JsonRecord)[part];
  }
  return value;
}

function parseFilter(filter: string): Condition[] {
  return filter
    .split(';')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const match = /^([^=!]+)(==|!=)(.*)$/.exec(part);
      if (!match)
        throw new AnswerError(badRequest(`Invalid filter ${JSON.stringify(part)}: use field==value`));
      return { path: match[1]!.trim().split('.'), negate: match[2] === '!=', value: match[3]! };
    });
}

function matches(record: JsonRecord, conditions: Condition[]): boolean {
  for (const condition of conditions) {
    const value = pathValue(record, condition.path);
    const equal = value !== undefined && value !== null && String(value) === condition.value;
    if (equal === condition.negate) return false;
  }
  return true;
}

function sorter(sort: string): (a: JsonRecord, b: JsonRecord) => number {
  let field = sort.trim();
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
  return (a, b) => {
    const x = pathValue(a, path) as string | number | undefined;
    const y = pathValue(b, path) as string | number | undefined;
    if (x === y) return 0;
    if (x === undefined || x === null) return 1;
    if (y === undefined || y === null) return -1;
    return (x < y ? -1 : 1) * direction;
  };
}

function pageSizeOf(raw: string | null): number {
  if (raw === null) return 25;
  const size = Number(raw);
  if (!/^\d+$/.test(raw) || size < 1 || size > 1000) {
    throw new AnswerError(
      badRequest(`pageSize must be an integer from 1 to 1000, got ${JSON.stringify(raw)}`),
    );
  }
  return size;
}

export class Lister {
  private readonly scrolls = new Map<string, Scroll>();
  private next = 0;

  clear(): void {
    this.scrolls.clear();
  }

  list(store: RecordStore, listName: 'users' | 'accounts', query: URLSearchParams): Answer {
    const pageSize = pageSizeOf(query.get('pageSize'));
    const scrollId = query.get('scrollId');
    let token: string;
    let offset = 0;
    let scroll: Scroll | undefined;
    if (scrollId) {
      const decoded = /^([a-z0-9]+)\.(\d+)$/.exec(Buffer.from(scrollId, 'base64url').toString('latin1'));
      scroll = decoded ? this.scrolls.get(decoded[1]!) : undefined;
      if (!decoded || !scroll) throw new AnswerError(badRequest(`Invalid or expired scrollId ${scrollId}`));
      token = decoded[1]!;
      offset = Number(decoded[2]);
    } else {
      const conditions = parseFilter(query.get('filter') ?? '');
      const records: JsonRecord[] = [];
      for (const record of store.live.values()) if (matches(record, conditions)) records.push(record);
      const sort = query.get('sort');
      if (sort) records.sort(sorter(sort));
      token = (++this.next).toString(36);
      scroll = { records };
      this.scrolls.set(token, scroll);
      if (this.scrolls.size > MAX_SCROLLS) this.scrolls.delete(this.scrolls.keys().next().value!);
    }
    const page = scroll.records.slice(offset, offset + pageSize);
    const end = Math.min(offset + pageSize, scroll.records.length);
    const nextId = Buffer.from(`${token}.${end}`, 'latin1').toString('base64url');
    return { status: 200, body: { [listName]: page, totalHits: scroll.records.length, scrollId: nextId } };
  }
}
